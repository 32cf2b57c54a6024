/* cmd_report.h: `lockstep report`, which renders a finished run's report.json again, as
 * text or as normalized JSON, without running anything. */
#ifndef LST_CMD_REPORT_H
#define LST_CMD_REPORT_H

/* Runs `lockstep report [--format text|json] [-o FILE] DIR|FILE`; argv[0] is "report".
 * DIR means DIR/report.json. Text goes to stdout or FILE, coloured only when that is a
 * terminal and NO_COLOR is unset or empty; json is re-written normalized (atomically when
 * FILE is given). Returns 0 on success, 2 on a usage error, an unreadable or corrupt report,
 * a format not available yet (html, sarif, junit, all) or a write error, after one
 * "lockstep: report: ..." line on stderr. */
int lst_cmd_report(int argc, char **argv);

#endif
