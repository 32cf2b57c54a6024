/* cmd_report.h: `lockstep report`, which renders a finished run's report.json again, as
 * text, normalized JSON, HTML, SARIF or JUnit XML, without running anything. */
#ifndef LST_CMD_REPORT_H
#define LST_CMD_REPORT_H

/* Runs `lockstep report [--format text|json|html|sarif|junit|all] [-o FILE]
 * [--source-root DIR] DIR|FILE`; argv[0] is "report". DIR means DIR/report.json. Output goes
 * to stdout or FILE (atomically, except text); text is coloured only when it goes to a
 * terminal and NO_COLOR is unset or empty. `all` writes report.txt, report.json, report.html,
 * report.sarif and report.junit.xml into DIR (the directory of the report.json), or into the
 * directory -o names (created when missing). --source-root: the directory SARIF URIs are
 * relative to (default: the current directory). Returns 0 on success, 2 on a usage error, an
 * unreadable or corrupt report or a write error, after one "lockstep: report: ..." line on
 * stderr. */
int lst_cmd_report(int argc, char **argv);

#endif
