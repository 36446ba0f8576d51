/* test_crawl_tls.c -- HTTPS with a certificate the test makes, HTTP/2 over TLS: nginx on loopback, every mode */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

static const char *const modes[] = { "thread", "process", "event", "hybrid" };

static pid_t nginx;
static unsigned nginx_port;
static char url[64];

/* A port nothing listens on now (bind to 0, then let it go): nginx takes it next. */
static unsigned free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool port_open(unsigned port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool open = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (fd >= 0)
		close(fd);
	return open;
}

/* A self-signed certificate for 127.0.0.1, as a user would make one. */
static int make_certificate(void)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s -out %s -days 2 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 >%s 2>&1",
		 itest_path("key.pem"), itest_path("cert.pem"), itest_path("openssl.log"));
	if (system(cmd) != 0) {
		fprintf(stderr, "openssl req failed: see %s\n", itest_path("openssl.log"));
		return -1;
	}
	return 0;
}

/* A self-signed certificate for expired.test whose days ended in 2020 (openssl ca sets the dates). */
static int make_expired_certificate(void)
{
	const char *log = itest_path("openssl-expired.log");
	char conf[1024], cmd[2048];

	snprintf(conf, sizeof(conf),
		 "[ca]\ndefault_ca = c\n[c]\ndatabase = %s\nnew_certs_dir = %s\nserial = %s\n"
		 "default_md = sha256\npolicy = p\ncopy_extensions = copy\n[p]\n"
		 "commonName = supplied\n",
		 itest_path("ca-index.txt"), itest_dir(), itest_path("ca-serial"));
	itest_write_file(itest_path("ca.cnf"), conf);
	itest_write_file(itest_path("ca-index.txt"), "");
	itest_write_file(itest_path("ca-serial"), "01\n");
	snprintf(cmd, sizeof(cmd),
		 "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s -out %s -subj /CN=expired.test "
		 "-addext subjectAltName=DNS:expired.test >%s 2>&1 && "
		 "openssl ca -batch -notext -config %s -selfsign -keyfile %s -in %s -out %s "
		 "-startdate 20200101000000Z -enddate 20200102000000Z >>%s 2>&1",
		 itest_path("expired-key.pem"), itest_path("expired.csr"), log,
		 itest_path("ca.cnf"), itest_path("expired-key.pem"), itest_path("expired.csr"),
		 itest_path("expired.pem"), log);
	if (system(cmd) != 0) {
		fprintf(stderr, "openssl ca failed: see %s\n", log);
		return -1;
	}
	return 0;
}

/* nginx in the foreground, one process, everything it writes in the scratch directory. */
static int start_nginx(unsigned port)
{
	const char *dir = itest_dir();
	char conf[4096];
	double deadline;

	snprintf(conf, sizeof(conf),
		 "daemon off;\nmaster_process off;\nworker_processes 1;\n"
		 "pid %s/nginx.pid;\nerror_log %s/nginx-error.log;\n"
		 "events { worker_connections 64; }\n"
		 "http {\n access_log off;\n default_type text/html;\n"
		 " client_body_temp_path %s/t-body;\n proxy_temp_path %s/t-proxy;\n"
		 " fastcgi_temp_path %s/t-fcgi;\n uwsgi_temp_path %s/t-uwsgi;\n"
		 " scgi_temp_path %s/t-scgi;\n"
		 " server {\n  listen 127.0.0.1:%u ssl http2;\n"
		 "  ssl_certificate %s;\n  ssl_certificate_key %s;\n  root %s/www;\n }\n"
		 " server {\n  listen 127.0.0.1:%u ssl http2;\n  server_name expired.test;\n"
		 "  ssl_certificate %s;\n  ssl_certificate_key %s;\n  root %s/www;\n }\n}\n",
		 dir, dir, dir, dir, dir, dir, dir, port, itest_path("cert.pem"),
		 itest_path("key.pem"), dir, port, itest_path("expired.pem"),
		 itest_path("expired-key.pem"), dir);
	itest_write_file(itest_path("nginx.conf"), conf);
	mkdir(itest_path("www"), 0755);
	itest_write_file(itest_path("www/index.html"),
			 "<html><head><title>tls ok</title></head><body><a href=/>x</a></body></html>");
	nginx = fork();
	if (nginx < 0)
		return -1;
	if (nginx == 0) {
		const char *bin = access("/usr/sbin/nginx", X_OK) == 0 ? "/usr/sbin/nginx" : "nginx";

		execlp(bin, "nginx", "-p", dir, "-c", itest_path("nginx.conf"), "-e",
		       itest_path("nginx-error.log"), (char *)NULL);
		fprintf(stderr, "cannot run nginx (scripts/install-deps installs nginx-light)\n");
		_exit(127);
	}
	for (deadline = itest_now() + 20; itest_now() < deadline; usleep(20000)) {
		if (port_open(port))
			return 0;
		if (waitpid(nginx, NULL, WNOHANG) == nginx) {
			char *log = itest_slurp(itest_path("nginx-error.log"), NULL);

			fprintf(stderr, "nginx did not start: %s\n", log ? log : "");
			free(log);
			nginx = 0;
			return -1;
		}
	}
	return -1;
}

static int setup(void **state)
{
	(void)state;
	nginx_port = free_port();
	if (!nginx_port || make_certificate() < 0 || make_expired_certificate() < 0 ||
	    start_nginx(nginx_port) < 0)
		return -1;
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", nginx_port);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (nginx > 0) {
		kill(nginx, SIGTERM);
		itest_wait(nginx, 20);
	}
	itest_cleanup();
	return 0;
}

/* Runs one crawl of target with extra options; returns the row's line (after the header), malloc'd. */
static char *crawl_row(const char *mode, const char *target, const char *const *extra)
{
	const char *out = itest_path("tls.csv");
	const char *args[24] = { "crawl", "-q", "-m", mode, "--fields",
				 "url,status,http_version,title,error", "-o", out };
	size_t n = 8;
	char *text, *row;
	int rc;

	while (*extra)
		args[n++] = *extra++;
	args[n++] = target;
	args[n] = NULL;
	rc = itest_run(args, NULL, NULL);
	if (rc != 0)
		fail_msg("crawlpool exited %d: %s", rc, itest_stderr());
	text = itest_slurp(out, NULL);
	assert_non_null(text);
	assert_memory_equal(text, "url,status,http_version,title,error\r\n", 37);
	row = strdup(text + 37);
	free(text);
	return row;
}

static void expect_target_row(const char *mode, const char *target, const char *const *extra,
			      const char *fields)
{
	char want[256], *row = crawl_row(mode, target, extra);

	snprintf(want, sizeof(want), "%s,%s\r\n", target, fields);
	if (strcmp(row, want) != 0)
		fail_msg("%s: row '%s', not '%s'", mode, row, want);
	free(row);
}

static void expect_row(const char *mode, const char *const *extra, const char *fields)
{
	expect_target_row(mode, url, extra, fields);
}

/*
 * A self-signed certificate fails by default, with a clear error; it
 * passes with --cacert and with -k. nginx offers HTTP/2: it is taken
 * unless --http1.1 says otherwise.
 */
static void test_tls(void **state)
{
	const char *none[] = { NULL };
	const char *cacert[] = { "--cacert", itest_path("cert.pem"), NULL };
	const char *insecure[] = { "-k", NULL };
	const char *http11[] = { "--cacert", itest_path("cert.pem"), "--http1.1", NULL };
	const char *http2[] = { "-k", "--http2", NULL };

	(void)state;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		expect_row(modes[m], none, ",,,tls certificate not trusted");
		expect_row(modes[m], cacert, "200,2,tls ok,");
		expect_row(modes[m], insecure, "200,2,tls ok,");
		expect_row(modes[m], http11, "200,1.1,tls ok,");
		expect_row(modes[m], http2, "200,2,tls ok,");
	}
}

/* A CA bundle that is no certificate is refused by TLS, not taken as none. */
static void test_bad_bundle(void **state)
{
	const char *bad[] = { "--cacert", itest_path("not-a-bundle.pem"), NULL };

	(void)state;
	itest_write_file(itest_path("not-a-bundle.pem"), "not a certificate\n");
	expect_row("thread", bad, ",,,tls certificates unreadable");
}

/*
 * A trusted certificate made for other names, or past its end date, says
 * which: "not trusted" would send the user to --cacert, which cures neither.
 */
static void test_certificate_errors(void **state)
{
	char other[64], expired[64], other_rule[64], expired_rule[64];
	const char *for_other[] = { "--cacert", itest_path("cert.pem"), "--resolve", other_rule,
				    NULL };
	const char *past[] = { "--cacert", itest_path("expired.pem"), "--resolve", expired_rule,
			       NULL };

	(void)state;
	snprintf(other, sizeof(other), "https://other.test:%u/", nginx_port);
	snprintf(other_rule, sizeof(other_rule), "other.test:%u:127.0.0.1", nginx_port);
	snprintf(expired, sizeof(expired), "https://expired.test:%u/", nginx_port);
	snprintf(expired_rule, sizeof(expired_rule), "expired.test:%u:127.0.0.1", nginx_port);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		expect_target_row(modes[m], other, for_other,
				  ",,,tls certificate for another host");
		expect_target_row(modes[m], expired, past, ",,,tls certificate expired");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_certificate_errors),
		cmocka_unit_test(test_bad_bundle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
