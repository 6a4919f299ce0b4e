/* The public status page: one self-contained HTML file (inline CSS and SVG, no
 * script, no external asset), readable on a phone.  Everything that comes from
 * a configuration or the history is escaped; text that is not UTF-8 or holds
 * control characters is shown with U+FFFD in their place. */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "lib/size.h"
#include "lib/strbuf.h"

#define PLOT_W 400
#define PLOT_H 160
#define PLOT_PAD_L 76
#define PLOT_PAD_B 22

static void add_html(struct strbuf *sb, const char *s)
{
	while (s && *s) {
		size_t n = utf8_char_len(s);
		unsigned char c = (unsigned char)*s;
		if (n == 0 || (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
			strbuf_adds(sb, "\xef\xbf\xbd");
			s++;
			continue;
		}
		switch (c) {
		case '&': strbuf_adds(sb, "&amp;"); break;
		case '<': strbuf_adds(sb, "&lt;"); break;
		case '>': strbuf_adds(sb, "&gt;"); break;
		case '"': strbuf_adds(sb, "&quot;"); break;
		case '\'': strbuf_adds(sb, "&#39;"); break;
		default: strbuf_add(sb, s, n);
		}
		s += n;
	}
}

static void add_time(struct strbuf *sb, int64_t t)
{
	char buf[64];
	struct tm tm;
	time_t tt = (time_t)t;

	if (!t) {
		strbuf_adds(sb, "never");
		return;
	}
	if (!gmtime_r(&tt, &tm)) {
		strbuf_adds(sb, "?");
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm);
	strbuf_addf(sb, "<time datetime=\"%lld\">%s</time>", (long long)t, buf);
}

/* "3 d 4 h", "2 h 5 min", "40 s": the two largest units. */
void status_format_duration(int64_t s, char *buf, size_t len)
{
	static const struct {
		int64_t sec;
		const char *unit;
	} u[] = { { 86400, "d" }, { 3600, "h" }, { 60, "min" }, { 1, "s" } };

	if (s < 0)
		s = 0;
	for (size_t i = 0; i < ARRAY_SIZE(u); i++) {
		if (s < u[i].sec && i + 1 < ARRAY_SIZE(u))
			continue;
		int64_t a = s / u[i].sec, rest = s % u[i].sec;
		if (i + 1 < ARRAY_SIZE(u) && rest / u[i + 1].sec)
			snprintf(buf, len, "%lld %s %lld %s", (long long)a, u[i].unit, (long long)(rest / u[i + 1].sec), u[i + 1].unit);
		else
			snprintf(buf, len, "%lld %s", (long long)a, u[i].unit);
		return;
	}
}

static void add_duration(struct strbuf *sb, int64_t s)
{
	char buf[48];
	status_format_duration(s, buf, sizeof(buf));
	strbuf_adds(sb, buf);
}

static void add_size(struct strbuf *sb, uint64_t b)
{
	char buf[32];
	format_size_human(b, buf, sizeof(buf));
	strbuf_adds(sb, buf);
}

static void freshness_table(struct strbuf *sb, const struct status_report *rep)
{
	strbuf_adds(sb, "<div class=\"scroll\"><table id=\"freshness\">\n"
			"<caption>Freshness of each mirrored project</caption>\n"
			"<thead><tr><th scope=\"col\">Project</th><th scope=\"col\">State</th>"
			"<th scope=\"col\">Last successful sync</th><th scope=\"col\">Age</th>"
			"<th scope=\"col\">Last result</th><th scope=\"col\">Upstream lag</th>"
			"<th scope=\"col\">Disk used</th><th scope=\"col\">URL checks</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < rep->n; i++) {
		const struct profile_status *s = &rep->v[i];
		size_t pass = 0;

		strbuf_adds(sb, "<tr><th scope=\"row\"><a href=\"#p-");
		add_html(sb, s->profile->name);
		strbuf_adds(sb, "\">");
		add_html(sb, s->profile->name);
		strbuf_addf(sb, "</a></th><td class=\"%s\">%s</td><td>", s->stale ? "bad" : "good", s->stale ? "stale" : "fresh");
		add_time(sb, s->success_time);
		strbuf_adds(sb, "</td><td>");
		if (s->success_time)
			add_duration(sb, rep->now - s->success_time);
		else
			strbuf_adds(sb, "\xe2\x80\x94");
		strbuf_addf(sb, "</td><td class=\"%s\">", s->last_result && strcmp(s->last_result, "ok") ? "bad" : "");
		add_html(sb, s->last_result ? s->last_result : "none yet");
		strbuf_adds(sb, "</td><td>");
		if (s->has_lag)
			add_duration(sb, s->lag);
		else
			strbuf_adds(sb, "\xe2\x80\x94");
		strbuf_adds(sb, "</td><td>");
		if (s->has_fs) {
			add_size(sb, s->fs_used);
			strbuf_adds(sb, " of ");
			add_size(sb, s->fs_size);
		} else
			strbuf_adds(sb, "\xe2\x80\x94");
		strbuf_adds(sb, "</td><td>");
		for (size_t u = 0; u < s->n_checks; u++)
			pass += s->checks[u].result && strcmp(s->checks[u].result, "pass") == 0;
		if (s->n_checks)
			strbuf_addf(sb, "%zu of %zu pass", pass, s->n_checks);
		else
			strbuf_adds(sb, "not checked");
		strbuf_adds(sb, "</td></tr>\n");
	}
	strbuf_adds(sb, "</tbody></table></div>\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef void (*fmt_fn)(struct strbuf *sb, double v);

static void fmt_seconds(struct strbuf *sb, double v)
{
	add_duration(sb, (int64_t)(v + 0.5));
}

static void fmt_bytes(struct strbuf *sb, double v)
{
	add_size(sb, (uint64_t)(v < 0 ? 0 : v));
}

/* The pixel column of time t; a time outside the period (a clock that was
 * wrong) sits at its edge. */
static int plot_column(int64_t t, int64_t from, double span, int w)
{
	double x = w * (double)(t - from) / span;
	return x < 0 ? 0 : x > w ? w : (int)x;
}

/* One line plot over [from, to] with its text alternative: the numbers a
 * reader of the picture would take from it. */
static int plot(struct strbuf *sb, const char *title, const struct status_series *s, int64_t from,
		int64_t to, fmt_fn fmt)
{
	double lo = 0, hi = 0, med = 0;
	_cleanup_free_ double *sorted = NULL;

	_cleanup_strbuf_ struct strbuf alt = { 0 };
	if (s->n) {
		if (!(sorted = malloc(s->n * sizeof(double))))
			return -ENOMEM;
		for (size_t i = 0; i < s->n; i++)
			sorted[i] = s->v[i].v;
		qsort(sorted, s->n, sizeof(double), cmp_double);
		lo = sorted[0];
		hi = sorted[s->n - 1];
		med = sorted[s->n / 2];
		strbuf_addf(&alt, "%zu value%s; lowest ", s->n, s->n == 1 ? "" : "s");
		fmt(&alt, lo);
		strbuf_adds(&alt, ", median ");
		fmt(&alt, med);
		strbuf_adds(&alt, ", highest ");
		fmt(&alt, hi);
		strbuf_adds(&alt, ", latest ");
		fmt(&alt, s->v[s->n - 1].v);
	} else
		strbuf_adds(&alt, "no values in this period");
	if (strbuf_error(&alt) < 0)
		return -ENOMEM;
	/* the text alternative: the plot's title and the numbers a reader would take from it */
	strbuf_addf(sb, "<figure>\n<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", PLOT_W, PLOT_H);
	add_html(sb, title);
	strbuf_adds(sb, ": ");
	add_html(sb, alt.buf);
	strbuf_adds(sb, "\"><title>");
	add_html(sb, title);
	strbuf_adds(sb, "</title>\n");
	/* axes, the top value and the period as text */
	double top = hi > 0 ? hi : 1;
	int x0 = PLOT_PAD_L, y0 = PLOT_H - PLOT_PAD_B, w = PLOT_W - PLOT_PAD_L - 4, h = PLOT_H - PLOT_PAD_B - 8;
	strbuf_addf(sb, "<path class=\"axis\" d=\"M%d 8V%dH%d\"/>\n", x0, y0, x0 + w);
	if (s->n) {
		strbuf_addf(sb, "<text x=\"%d\" y=\"16\" text-anchor=\"end\">", x0 - 4);
		fmt(sb, top);
		strbuf_addf(sb, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", x0 - 4, y0);
	} else
		strbuf_addf(sb, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no values</text>\n", x0 + w / 2, y0 / 2);
	strbuf_addf(sb, "<text x=\"%d\" y=\"%d\">30 days ago</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">now</text>\n",
		    x0, PLOT_H - 4, x0 + w, PLOT_H - 4);
	if (s->n) {
		double span = to > from ? (double)(to - from) : 1;
		/* one point per pixel column, its highest value: peaks stay visible
		 * and the page stays small whatever the number of runs */
		strbuf_adds(sb, "<polyline class=\"line\" points=\"");
		for (size_t i = 0; i < s->n;) {
			int col = plot_column(s->v[i].t, from, span, w);
			double v = s->v[i].v;
			for (i++; i < s->n && plot_column(s->v[i].t, from, span, w) == col; i++)
				if (s->v[i].v > v)
					v = s->v[i].v;
			strbuf_addf(sb, "%d,%d ", x0 + col, y0 - (int)(h * (v / top) + 0.5));
		}
		strbuf_adds(sb, "\"/>\n");
		/* the latest value stands out (and a lone value shows at all) */
		const struct status_point *l = &s->v[s->n - 1];
		strbuf_addf(sb, "<circle class=\"dot\" cx=\"%d\" cy=\"%d\" r=\"3\"/>\n",
			    x0 + plot_column(l->t, from, span, w), y0 - (int)(h * (l->v / top) + 0.5));
	}
	strbuf_adds(sb, "</svg>\n<figcaption>");
	add_html(sb, title);
	strbuf_adds(sb, ": ");
	add_html(sb, alt.buf);
	strbuf_adds(sb, "</figcaption>\n</figure>\n");
	return 0;
}

static int profile_section(struct strbuf *sb, const struct status_report *rep, const struct profile_status *s, int64_t from)
{
	const char *name = s->profile->name;
	char title[160];
	int r;

	strbuf_adds(sb, "<section id=\"p-");
	add_html(sb, name);
	strbuf_adds(sb, "\">\n<h2>");
	add_html(sb, name);
	if (s->profile->description) {
		strbuf_adds(sb, " <small>");
		add_html(sb, s->profile->description);
		strbuf_adds(sb, "</small>");
	}
	strbuf_adds(sb, "</h2>\n<p>");
	if (s->last_time) {
		strbuf_adds(sb, "Last sync ended ");
		add_time(sb, s->last_time);
		strbuf_adds(sb, " after ");
		add_duration(sb, (int64_t)s->last_seconds);
		strbuf_adds(sb, ": ");
		add_html(sb, s->last_result);
		if (s->last_message) {
			strbuf_adds(sb, " (");
			add_html(sb, s->last_message);
			strbuf_adds(sb, ")");
		}
		strbuf_adds(sb, ". ");
	} else
		strbuf_adds(sb, "No sync has run yet. ");
	strbuf_adds(sb, "Stale after ");
	add_duration(sb, (int64_t)s->stale_after);
	strbuf_adds(sb, " without a successful sync.</p>\n<div class=\"plots\">\n");
	snprintf(title, sizeof(title), "%s: sync duration, last 30 days", name);
	if ((r = plot(sb, title, &s->duration, from, rep->now, fmt_seconds)) < 0)
		return r;
	snprintf(title, sizeof(title), "%s: upstream lag at each successful sync, last 30 days", name);
	if ((r = plot(sb, title, &s->lag_series, from, rep->now, fmt_seconds)) < 0)
		return r;
	snprintf(title, sizeof(title), "%s: disk used, last 30 days", name);
	if ((r = plot(sb, title, &s->disk_used, from, rep->now, fmt_bytes)) < 0)
		return r;
	strbuf_adds(sb, "</div>\n");
	if (s->n_checks || s->n_props) {
		strbuf_adds(sb, "<div class=\"scroll\"><table>\n<caption>");
		add_html(sb, name);
		strbuf_adds(sb, ": URL checks");
		if (s->check_time) {
			strbuf_adds(sb, " of ");
			add_time(sb, s->check_time);
		}
		strbuf_adds(sb, "</caption>\n<thead><tr><th scope=\"col\">URL</th><th scope=\"col\">Check</th>"
				"<th scope=\"col\">Propagation</th></tr></thead>\n<tbody>\n");
		const struct status_url *lists[2] = { s->checks, s->props };
		size_t counts[2] = { s->n_checks, s->n_props };
		for (int l = 0; l < 2; l++)
			for (size_t u = 0; u < counts[l]; u++) {
				const struct status_url *c = &lists[l][u];
				bool dup = false;
				for (size_t k = 0; l == 1 && k < s->n_checks; k++)
					dup |= strcmp(s->checks[k].url, c->url) == 0;
				if (dup)
					continue;
				strbuf_adds(sb, "<tr><th scope=\"row\">");
				add_html(sb, c->url);
				strbuf_adds(sb, "</th><td>");
				if (l == 0) {
					add_html(sb, c->result);
					if (c->detail) {
						strbuf_adds(sb, ": ");
						add_html(sb, c->detail);
					}
				}
				strbuf_adds(sb, "</td><td>");
				const struct status_url *p = l == 1 ? c : NULL;
				for (size_t k = 0; !p && k < s->n_props; k++)
					if (strcmp(s->props[k].url, c->url) == 0)
						p = &s->props[k];
				if (p) {
					add_html(sb, p->result);
					if (p->result && strcmp(p->result, "behind") == 0) {
						strbuf_adds(sb, " by ");
						add_duration(sb, p->behind);
					}
				}
				strbuf_adds(sb, "</td></tr>\n");
			}
		strbuf_adds(sb, "</tbody></table></div>\n");
	}
	strbuf_adds(sb, "</section>\n");
	return 0;
}

static const char css[] =
	"body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:0 1rem 2rem;"
	"color:#1b1b1b;background:#fff}"
	"h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}h2 small{font-weight:normal;color:#555}"
	".scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}"
	"caption{text-align:left;font-weight:bold;padding:.4rem 0}"
	"th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #ccc;vertical-align:top}"
	"td{overflow-wrap:anywhere}"
	/* on a phone the freshness table scrolls sideways with the project name kept in view */
	"#freshness th,#freshness td{white-space:nowrap}"
	"#freshness tbody th{position:sticky;left:0;background:#fff}"
	"thead th{background:#f1f1f1}.good{color:#0a6b2d}.bad{color:#b00020;font-weight:bold}"
	".plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}"
	"figure{margin:0}svg{width:100%;height:auto;display:block}"
	"svg text{font-size:12px;fill:#444}.axis{fill:none;stroke:#888}"
	".line{fill:none;stroke:#1f5fa8;stroke-width:1.5}.dot{fill:#1f5fa8}"
	"figcaption{font-size:.9rem;color:#444}"
	"@media (max-width:40rem){th,td{padding:.3rem}body{font-size:15px}}"
	"@media (prefers-color-scheme:dark){body{background:#121212;color:#e6e6e6}thead th{background:#222}"
	"th,td{border-color:#444}#freshness tbody th{background:#121212}svg text,figcaption,h2 small{fill:#bbb;color:#bbb}.line{stroke:#6fa8ff}.dot{fill:#6fa8ff}"
	".good{color:#5fd38a}.bad{color:#ff6b81}}";

int status_write_html(const struct status_report *rep, const char *host, const char *dir)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	_cleanup_free_ char *path = NULL;
	int64_t from = rep->now - 30 * 86400;
	size_t stale = 0;
	int r;

	for (size_t i = 0; i < rep->n; i++)
		stale += rep->v[i].stale;
	strbuf_adds(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Mirror status: ");
	add_html(&sb, host);
	strbuf_addf(&sb, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>Mirror status of ", css);
	add_html(&sb, host);
	strbuf_adds(&sb, "</h1>\n<p>");
	if (stale)
		strbuf_addf(&sb, "<strong class=\"bad\">%zu of %zu projects are stale.</strong> ", stale, rep->n);
	else
		strbuf_addf(&sb, "All %zu projects are fresh. ", rep->n);
	strbuf_adds(&sb, "Generated ");
	add_time(&sb, rep->now);
	strbuf_adds(&sb, " by mirrorprov status.</p>\n</header>\n<main>\n");
	freshness_table(&sb, rep);
	for (size_t i = 0; i < rep->n; i++)
		if ((r = profile_section(&sb, rep, &rep->v[i], from)) < 0)
			return r;
	strbuf_adds(&sb, "</main>\n</body>\n</html>\n");
	if ((r = strbuf_error(&sb)) < 0)
		return r;
	if ((r = mkdir_p(dir, 0755)) < 0)
		return r;
	if (asprintf(&path, "%s/index.html", dir) < 0)
		return -ENOMEM;
	r = write_file_atomic(path, sb.buf, sb.len, 0644, false);
	return r < 0 ? r : 0;
}
