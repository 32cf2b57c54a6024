/* junit.c: the JUnit XML writer, for CI test views (GitLab's junit artifacts, Jenkins'
 * junit step). One <testsuite name="lockstep"> per report inside <testsuites>. Every finding
 * is a failing <testcase> named "KIND FINGERPRINT" (made unique with " #2", " #3" if a report
 * ever holds the same pair twice), classname "lockstep.TARGET", with file/line attributes
 * of the finding's primary site and a <failure> whose message is the finding's message and
 * whose body is its text rendering; a baselined finding (known, accepted with --baseline) is
 * a <skipped> testcase instead, with its text in <system-out>. A clean report is one
 * passing testcase named after the target (the basename of argv[0]). Notes and limits go to
 * <system-out>. Everything that came from the target is escaped, invalid UTF-8 and
 * characters XML 1.0 forbids become U+FFFD, so any report gives a well-formed document.
 * Also home of lst_finding_text. */
#define _GNU_SOURCE
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* See report.h. */
char *lst_finding_text(const lst_finding *f)
{
    lst_report one;
    lst_report_init(&one);
    one.findings = (lst_finding *)f; /* borrowed: never freed through `one` */
    one.nfindings = 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    lst_write_text(&one, m, 0);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    /* drop the closing summary line ("lockstep: 1 finding (...)") */
    if (len > 1) {
        char *last = buf + len - 1; /* the final '\n' */
        while (last > buf && last[-1] != '\n')
            last--;
        if (strncmp(last, "lockstep: ", 10) == 0)
            *last = '\0';
    }
    return buf;
}

/* Writes s escaped for XML character data (attr == 0) or a double-quoted attribute. */
static void put_xml(FILE *o, const char *s, int attr)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned char ch = *p;
        size_t n = lst_utf8_len(p);
        /* U+FFFE and U+FFFF (EF BF BE/BF) are well-formed UTF-8 but not XML characters */
        int nonchar = n == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf);
        if (n == 0 || nonchar || (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') ||
            ch == 0x7f) {
            fputs("\xef\xbf\xbd", o); /* not allowed in XML 1.0 (or not UTF-8) */
            p++;
            continue;
        }
        if (n > 1) {
            fwrite(p, 1, n, o);
            p += n;
            continue;
        }
        switch (ch) {
        case '&':
            fputs("&amp;", o);
            break;
        case '<':
            fputs("&lt;", o);
            break;
        case '>':
            fputs("&gt;", o);
            break;
        case '"':
            fputs(attr ? "&quot;" : "\"", o);
            break;
        case '\'':
            fputs(attr ? "&apos;" : "'", o);
            break;
        case '\n':
            fputs(attr ? "&#10;" : "\n", o);
            break;
        case '\r':
            fputs("&#13;", o);
            break;
        case '\t':
            fputs(attr ? "&#9;" : "\t", o);
            break;
        default:
            fputc(ch, o);
        }
        p++;
    }
}

/* The basename of the target (argv[0]), or "target". */
static const char *target_name(const lst_report *r)
{
    const char *a0 = r->argc && r->argv[0] && *r->argv[0] ? r->argv[0] : "target";
    const char *slash = strrchr(a0, '/');
    return slash && slash[1] ? slash + 1 : a0;
}

/* Writes r as JUnit XML to out; see the file header. Errors are the stream's. */
void lst_write_junit(const lst_report *r, FILE *out, const lst_render_opts *o)
{
    const char *root = o && o->source_root && *o->source_root ? o->source_root : NULL;
    const char *target = target_name(r);
    size_t tests = r->nfindings ? r->nfindings : 1, baselined = 0;
    for (size_t i = 0; i < r->nfindings; i++)
        baselined += (size_t)r->findings[i].baselined;
    size_t failures = r->nfindings - baselined;

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<testsuites name=\"lockstep\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
            "skipped=\"%zu\">\n",
            tests, failures, baselined);
    fprintf(out,
            "  <testsuite name=\"lockstep\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
            "skipped=\"%zu\" time=\"0\">\n",
            tests, failures, baselined);

    fputs("    <properties>\n", out);
    fputs("      <property name=\"lockstep.version\" value=\"", out);
    put_xml(out, r->tool_version, 1);
    fputs("\"/>\n      <property name=\"mode\" value=\"", out);
    put_xml(out, r->mode ? r->mode : "run", 1);
    fputs("\"/>\n      <property name=\"target\" value=\"", out);
    for (size_t i = 0; i < r->argc; i++) {
        if (i)
            fputc(' ', out);
        put_xml(out, r->argv[i], 1);
    }
    fputs("\"/>\n", out);
    if (r->exit_code >= 0)
        fprintf(out, "      <property name=\"exit_code\" value=\"%d\"/>\n", r->exit_code);
    if (r->exit_signal > 0)
        fprintf(out, "      <property name=\"exit_signal\" value=\"%d\"/>\n", r->exit_signal);
    if (r->schedules)
        fprintf(out, "      <property name=\"schedules\" value=\"%u\"/>\n", r->schedules);
    fputs("    </properties>\n", out);

    if (r->nfindings == 0) {
        fputs("    <testcase classname=\"lockstep\" name=\"", out);
        put_xml(out, target, 1);
        fputs("\" time=\"0\"/>\n", out);
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        const lst_finding *f = &r->findings[i];
        const char *fp = f->fingerprint[0] ? f->fingerprint : "none";
        unsigned dup = 1; /* how many earlier findings share kind and fingerprint */
        for (size_t j = 0; j < i; j++)
            if (r->findings[j].kind == f->kind && strcmp(r->findings[j].fingerprint, f->fingerprint) == 0)
                dup++;
        fputs("    <testcase classname=\"lockstep.", out);
        put_xml(out, target, 1);
        fprintf(out, "\" name=\"%s %s", lst_kind_name(f->kind), fp);
        if (dup > 1)
            fprintf(out, " #%u", dup);
        fputc('"', out);
        int p = lst_finding_primary_stack(f);
        const lst_frame *site = p >= 0 ? lst_stack_site(&f->stacks[p]) : NULL;
        if (site && site->file && *site->file) {
            char *rel = lst_relative_path(site->file, root);
            fputs(" file=\"", out);
            put_xml(out, rel ? rel : site->file, 1);
            fputc('"', out);
            if (site->line > 0)
                fprintf(out, " line=\"%d\"", site->line);
            free(rel);
        }
        /* a baselined finding is known and accepted: a skipped testcase, not a failure */
        fputs(f->baselined ? " time=\"0\">\n      <skipped message=\"baselined: "
                           : " time=\"0\">\n      <failure type=\"",
              out);
        if (!f->baselined) {
            put_xml(out, lst_kind_name(f->kind), 1);
            fputs("\" message=\"", out);
        }
        put_xml(out, f->message && *f->message ? f->message : lst_kind_desc(f->kind), 1);
        fputs(f->baselined ? "\"/>\n      <system-out>" : "\">", out);
        char *text = lst_finding_text(f);
        put_xml(out, text ? text : f->message, 0);
        free(text);
        fputs(f->baselined ? "</system-out>\n    </testcase>\n" : "</failure>\n    </testcase>\n",
              out);
    }

    if (r->nnotes || r->nlimits) {
        fputs("    <system-out>", out);
        for (size_t i = 0; i < r->nnotes; i++) {
            const lst_finding *n = &r->notes[i];
            const char *why = n->reason ? n->reason : n->message;
            fputs("lockstep: note: ", out);
            put_xml(out, lst_kind_name(n->kind), 0);
            if (why) {
                fputs(": ", out);
                put_xml(out, why, 0);
            }
            fputc('\n', out);
        }
        for (size_t i = 0; i < r->nlimits; i++) {
            fputs("lockstep: limit: ", out);
            put_xml(out, r->limits[i], 0);
            fputc('\n', out);
        }
        fputs("</system-out>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
}
