/*
 * test_target.c - target URL parsing (docs/contracts.md 2): every scheme's good
 * forms field by field, every class of bad input with its exact message,
 * probe chains and duplicate keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "target.h"

/* Every scheme, in the order of schemes.def (errors list them). */
#define SCHEMES	"tcp, unix, tls, talos, k8s, http, https, http+unix, " \
	"cloudflared, dns, arp, arp+pcap, port, machineconfig, docker, " \
	"tailscale, addrplan, gateway, gateway+k8s"

static struct nd_arena *arena;
static char err[1024];

static int
setup(void **state)
{
	(void)state;
	arena = nd_arena_new();
	err[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nd_arena_free(arena);
	arena = NULL;
	return 0;
}

static struct nd_target *
ok(const char *url)
{
	struct nd_target *t = NULL;
	int rc;

	rc = nd_target_parse(arena, url, "test", &t, err, sizeof(err));
	if (rc != 0)
		print_error("unexpected error: %s\n", err);
	assert_int_equal(rc, 0);
	assert_non_null(t);
	assert_string_equal(t->url, url);
	assert_string_equal(t->origin, "test");
	return t;
}

/* The whole message must match: columns and wording are the contract. */
static void
bad(const char *url, const char *want)
{
	struct nd_target *t = (struct nd_target *)0x1;

	memset(err, 'x', sizeof(err));
	assert_int_equal(nd_target_parse(arena, url, "test", &t, err,
	    sizeof(err)), -EINVAL);
	assert_ptr_equal(t, (struct nd_target *)0x1);
	assert_string_equal(err, want);
}

static void
assert_chain(const struct nd_target *t, const char *want)
{
	const char *const *c = nd_target_chain(t);
	char buf[128] = "";
	size_t len = 0;

	assert_non_null(c);
	for (; *c != NULL; c++) {
		size_t n = strlen(*c);

		assert_true(len + n + 2 < sizeof(buf));
		if (len > 0)
			buf[len++] = ',';
		memcpy(buf + len, *c, n);
		len += n;
		buf[len] = '\0';
	}
	assert_string_equal(buf, want);
}

/* tailscale://: the default socket, or an absolute path; one probe. */
static void
test_tailscale(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("tailscale://");
	assert_int_equal(t->scheme, ND_S_TAILSCALE);
	assert_null(t->x->path);
	assert_null(t->host);
	assert_chain(t, "tailscale");
	t = ok("tailscale:///run/ts/tailscaled.sock");
	assert_string_equal(t->x->path, "/run/ts/tailscaled.sock");
	assert_string_equal(nd_target_key(arena, t),
	    "tailscale|/run/ts/tailscaled.sock");
	bad("tailscale://run/ts.sock", "tailscale://run/ts.sock: column 13: "
	    "expected an absolute socket path (tailscale:///PATH) or nothing "
	    "for the default one");
}

static void
test_tcp(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("tcp://127.0.0.1:6443");
	assert_int_equal(t->scheme, ND_S_TCP);
	assert_string_equal(t->host, "127.0.0.1");
	assert_true(t->host_is_ip);
	assert_int_equal(t->port, 6443);
	assert_null(t->x->sni);
	assert_null(t->x->ca);
	assert_null(t->x->qname);
	assert_null(t->x->iface);
	assert_int_equal(t->index, 0);
	assert_chain(t, "route,tcp");

	t = ok("tcp://[::1]:1");
	assert_string_equal(t->host, "::1");
	assert_true(t->host_is_ip);
	assert_int_equal(t->port, 1);
	assert_chain(t, "route,tcp");

	t = ok("tcp://node-1.lab_x.example.:65535");
	assert_string_equal(t->host, "node-1.lab_x.example.");
	assert_false(t->host_is_ip);
	assert_int_equal(t->port, 65535);
	assert_chain(t, "resolve,route,tcp");

	/* RFC 3986 3.1: the scheme is case-insensitive. */
	t = ok("TCP://localhost:22");
	assert_int_equal(t->scheme, ND_S_TCP);
	assert_string_equal(t->host, "localhost");
}

static void
test_tls(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("tls://10.0.0.1:443?sni=api.example.com&"
	    "ca=/etc/ssl/my%20ca.pem");
	assert_int_equal(t->scheme, ND_S_TLS);
	assert_string_equal(t->host, "10.0.0.1");
	assert_int_equal(t->port, 443);
	assert_string_equal(t->x->sni, "api.example.com");
	assert_string_equal(t->x->ca, "/etc/ssl/my ca.pem");
	assert_chain(t, "route,tcp,tls");

	t = ok("tls://example.com:8443?sni=10.0.0.1");
	assert_string_equal(t->x->sni, "10.0.0.1");
	assert_null(t->x->ca);
	assert_chain(t, "resolve,route,tcp,tls");

	t = ok("tls://[fd00::1]:443?ca=%2Fa%2fb");
	assert_string_equal(t->host, "fd00::1");
	assert_string_equal(t->x->ca, "/a/b");
}

static void
test_talos(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("talos://127.0.0.1");
	assert_int_equal(t->scheme, ND_S_TALOS);
	assert_string_equal(t->host, "127.0.0.1");
	assert_int_equal(t->port, 50000);
	assert_chain(t, "route,tcp,tls,talos");

	t = ok("talos://cp01.lab:50001?sni=cp01&ca=ca.crt");
	assert_int_equal(t->port, 50001);
	assert_string_equal(t->x->sni, "cp01");
	assert_string_equal(t->x->ca, "ca.crt");
	assert_chain(t, "resolve,route,tcp,tls,talos");
}

static void
test_k8s(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("k8s://192.168.1.10");
	assert_int_equal(t->scheme, ND_S_K8S);
	assert_int_equal(t->port, 6443);
	assert_chain(t, "route,tcp,tls,k8s");

	/* kubeconfig's "https://HOST:PORT/" spelling, trailing '/' kept. */
	t = ok("k8s://[2001:db8::5]:6444/");
	assert_int_equal(t->scheme, ND_S_K8S);
	assert_string_equal(t->host, "2001:db8::5");
	assert_int_equal(t->port, 6444);
	assert_string_equal(nd_scheme_name(t->scheme), "k8s");

	t = ok("k8s://kube.lab/?sni=kube.lab");
	assert_int_equal(t->port, 6443);
	assert_string_equal(t->x->sni, "kube.lab");
	assert_chain(t, "resolve,route,tcp,tls,k8s");
}

/* http:// and https://: the URL is the user's, nd- parameters are ours. */
static void
test_web(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("http://example.lab");
	assert_int_equal(t->scheme, ND_S_HTTP);
	assert_string_equal(t->host, "example.lab");
	assert_int_equal(t->port, 80);
	assert_string_equal(t->x->request, "http://example.lab");
	assert_string_equal(t->x->reqpath, "");
	assert_null(t->x->connect);
	assert_null(t->x->status);
	assert_null(t->x->body);
	assert_null(t->x->ca);
	assert_chain(t, "resolve,route,tcp,http");
	assert_true(nd_target_status_ok(t, 200));
	assert_true(nd_target_status_ok(t, 302));
	assert_true(nd_target_status_ok(t, 399));
	assert_false(nd_target_status_ok(t, 404));
	assert_false(nd_target_status_ok(t, 199));
	assert_null(nd_target_ip(t));

	/* Sent as written: path and query kept, nd- removed with its '&'. */
	t = ok("https://sonarr.int.example.be/api/v3/system?apikey=x%20y&"
	    "nd-connect=192.168.30.61&b=&nd-status=200,301-399,401&"
	    "nd-body=Sonarr%20Ready&nd-ca=/etc/ca%20x.pem");
	assert_int_equal(t->scheme, ND_S_HTTPS);
	assert_string_equal(t->host, "sonarr.int.example.be");
	assert_false(t->host_is_ip);
	assert_int_equal(t->port, 443);
	assert_string_equal(t->x->request, "https://sonarr.int.example.be/api/"
	    "v3/system?apikey=x%20y&b=");
	assert_string_equal(t->x->reqpath, "/api/v3/system?apikey=x%20y&b=");
	assert_string_equal(t->x->connect, "192.168.30.61");
	assert_string_equal(nd_target_ip(t), "192.168.30.61");
	assert_int_equal(t->x->nstatus, 3);
	assert_int_equal(t->x->status[0].lo, 200);
	assert_int_equal(t->x->status[0].hi, 200);
	assert_int_equal(t->x->status[1].lo, 301);
	assert_int_equal(t->x->status[1].hi, 399);
	assert_true(nd_target_status_ok(t, 401));
	assert_false(nd_target_status_ok(t, 201));
	assert_string_equal(t->x->body, "Sonarr Ready");
	assert_string_equal(t->x->ca, "/etc/ca x.pem");
	/* nd-connect: no name to resolve; SNI and Host stay the host. */
	assert_chain(t, "route,tcp,tls,http");

	t = ok("https://h.lab:8443/?nd-connect=[fd00::61]:9443");
	assert_string_equal(t->x->connect, "fd00::61");
	assert_int_equal(t->port, 9443);
	assert_string_equal(t->x->request, "https://h.lab:8443/");
	t = ok("https://h.lab:8443/x?nd-connect=fd00::61");
	assert_string_equal(t->x->connect, "fd00::61");
	assert_int_equal(t->port, 8443);
	t = ok("https://h.lab?nd-connect=10.0.0.1:444");
	assert_int_equal(t->port, 444);
	assert_string_equal(t->x->request, "https://h.lab");
	t = ok("HTTPS://10.0.0.1/a?x=1&ND-STATUS=404");
	assert_int_equal(t->scheme, ND_S_HTTPS);
	assert_true(t->host_is_ip);
	assert_string_equal(t->x->request, "HTTPS://10.0.0.1/a?x=1");
	assert_true(nd_target_status_ok(t, 404));
	assert_false(nd_target_status_ok(t, 200));
	assert_chain(t, "route,tcp,tls,http");
	/* Empty parameters of the URL's own are the URL's business. */
	t = ok("http://h/?&a&&nd-body=x&");
	assert_string_equal(t->x->request, "http://h/?&a&&");
}

static void
test_bad_web(void **state)
{
	char big[4200];
	size_t n;

	(void)state;
	bad("https://h.lab/x#top", "https://h.lab/x#top: column 16: a "
	    "fragment ('#...') is never sent to the server; remove it");
	bad("https://user:pw@h.lab/", "https://user:pw@h.lab/: column 9: "
	    "userinfo ('...@') is not supported: netdoctor sends no "
	    "credentials in URLs");
	bad("https://h/?nd-conect=1.2.3.4", "https://h/?nd-conect=1.2.3.4: "
	    "column 12: unknown netdoctor parameter 'nd-conect' (https:// "
	    "takes nd-connect, nd-status, nd-body, nd-ca)");
	bad("http://h/?nd-ca=x", "http://h/?nd-ca=x: column 11: nd-ca is for "
	    "https:// (http:// has no certificate to check)");
	bad("http://h/?nd-unix=/s", "http://h/?nd-unix=/s: column 11: nd-unix "
	    "is for http+unix:// (http+unix://HOST/?nd-unix=SOCKET)");
	bad("https://h/?nd-status=999", "https://h/?nd-status=999: column 22: "
	    "nd-status: status 999 out of range 100-599");
	bad("https://h/?nd-status=200,20x", "https://h/?nd-status=200,20x: "
	    "column 26: nd-status: '20x' is not a status (three digits, "
	    "100-599)");
	bad("https://h/?nd-status=399-301", "https://h/?nd-status=399-301: "
	    "column 22: nd-status: range 399-301 runs backwards");
	bad("https://h/?nd-status=200,", "https://h/?nd-status=200,: column "
	    "26: empty status in nd-status");
	bad("https://h/?nd-connect=gateway.lab", "https://h/?nd-connect="
	    "gateway.lab: column 23: nd-connect 'gateway.lab' is not an IP "
	    "address (nd-connect=IP[:PORT], IPv6 in brackets)");
	bad("https://h/?nd-connect=10.0.0.300", "https://h/?nd-connect="
	    "10.0.0.300: column 23: '10.0.0.300' is not an IPv4 address");
	bad("https://h/?nd-connect=10.0.0.1:0", "https://h/?nd-connect="
	    "10.0.0.1:0: column 32: port 0 out of range 1-65535");
	bad("https://h/?nd-body=", "https://h/?nd-body=: column 20: empty "
	    "value for 'nd-body' (nd-body=VALUE)");
	bad("https://h/?nd-body=a&nd-body=b", "https://h/?nd-body=a&nd-body=b: "
	    "column 22: repeated parameter 'nd-body'");
	bad("https://h/?nd-body=%zz", "https://h/?nd-body=%zz: column 20: bad "
	    "percent-escape '%zz' (expected %XX with two hex digits)");
	bad("https://h:99999/", "https://h:99999/: column 11: port 99999 out "
	    "of range 1-65535");

	/* A path of 2048 bytes is fine, 2049 is not. */
	memset(big, 'p', sizeof(big));
	memcpy(big, "https://h/", 10);
	big[9 + 2048] = '\0';
	(void)ok(big);
	big[9 + 2048] = 'p';
	big[9 + 2049] = '\0';
	memcpy(err, big, 60);
	n = (size_t)snprintf(err + 60, sizeof(err) - 60, "...: column %d: "
	    "path longer than 2048 bytes", 9 + 2048 + 1);
	assert_true(n > 0);
	{
		char want[200];

		memcpy(want, err, sizeof(want));
		bad(big, want);
	}
	/* A web URL may be 4096 bytes (path and query), not 4097. */
	memset(big, 'q', sizeof(big));
	memcpy(big, "https://h/?", 11);
	big[4096] = '\0';
	(void)ok(big);
	big[4096] = 'q';
	big[4097] = '\0';
	assert_int_equal(nd_target_parse(arena, big, "x", &(struct nd_target *){
	    NULL }, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "...: column 4097: URL longer than 4096 "
	    "bytes"));
}

static void
test_dns(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("dns://192.168.30.45/sonarr.int.example.be");
	assert_int_equal(t->scheme, ND_S_DNS);
	assert_string_equal(t->host, "192.168.30.45");
	assert_int_equal(t->port, 53);
	assert_string_equal(t->x->qname, "sonarr.int.example.be");
	assert_string_equal(t->x->qtype, "A");
	assert_null(t->x->expect);
	assert_null(t->x->upstream);
	assert_chain(t, "route,dns");

	t = ok("dns://[::1]:5353/x.y.?expect=10.0.0.1,10.0.0.2&type=a&"
	    "upstream=2606:4700::1111");
	assert_string_equal(t->host, "::1");
	assert_int_equal(t->port, 5353);
	assert_string_equal(t->x->qname, "x.y.");
	assert_string_equal(t->x->qtype, "A");
	assert_non_null(t->x->expect);
	assert_string_equal(t->x->expect[0], "10.0.0.1");
	assert_string_equal(t->x->expect[1], "10.0.0.2");
	assert_null(t->x->expect[2]);
	/* The resolver's own family need not match the record type. */
	assert_string_equal(t->x->upstream, "2606:4700::1111");

	t = ok("dns://ns.lab/host?type=aaaa&expect=fd00::1");
	assert_string_equal(t->x->qtype, "AAAA");
	assert_string_equal(t->x->expect[0], "fd00::1");
	assert_null(t->x->expect[1]);
	assert_chain(t, "resolve,route,dns");
}

static void
test_arp(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("arp://eth0/192.168.30.61,192.168.30.62");
	assert_int_equal(t->scheme, ND_S_ARP);
	assert_null(t->host);
	assert_false(t->host_is_ip);
	assert_int_equal(t->port, 0);
	assert_string_equal(t->x->iface, "eth0");
	assert_string_equal(t->x->ips[0], "192.168.30.61");
	assert_string_equal(t->x->ips[1], "192.168.30.62");
	assert_null(t->x->ips[2]);
	assert_chain(t, "arp");

	t = ok("arp://br-lan.10@x_y/10.0.0.1");
	assert_string_equal(t->x->iface, "br-lan.10@x_y");
	assert_string_equal(t->x->ips[0], "10.0.0.1");
	assert_null(t->x->ips[1]);
}

static void
test_port(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("port://6443");
	assert_int_equal(t->scheme, ND_S_PORT);
	assert_null(t->host);
	assert_int_equal(t->port, 6443);
	assert_chain(t, "ports");

	t = ok("port://127.0.0.1:50000");
	assert_string_equal(t->host, "127.0.0.1");
	assert_true(t->host_is_ip);
	assert_int_equal(t->port, 50000);

	t = ok("port://[::]:80");
	assert_string_equal(t->host, "::");
	assert_int_equal(t->port, 80);
	assert_chain(t, "ports");
}

/* gateway://: the status --manifests read; nothing after it. */
static void
test_gateway(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("gateway://");
	assert_int_equal(t->scheme, ND_S_GATEWAY);
	assert_null(t->host);
	assert_null(t->x->manifests);
	assert_chain(t, "gateway");
	bad("gateway://gw", "gateway://gw: column 11: gateway:// takes nothing "
	    "after it: it audits the Gateway API status netdoctor was given "
	    "(gateway+k8s://HOST[:PORT] reads a cluster's)");

	/* gateway+k8s://: the same judge, the lists from the API server. */
	t = ok("gateway+k8s://192.168.1.10");
	assert_int_equal(t->scheme, ND_S_GATEWAY_K8S);
	assert_int_equal(t->port, 6443);
	assert_chain(t, "route,tcp,tls,k8s,gateway");
	assert_true(nd_scheme_kube(t->scheme));
	assert_false(nd_scheme_kube(ND_S_GATEWAY));
	t = ok("gateway+k8s://kube.lab:7445/?sni=kube.lab");
	assert_int_equal(t->port, 7445);
	assert_string_equal(t->x->sni, "kube.lab");
	assert_chain(t, "resolve,route,tcp,tls,k8s,gateway");
	bad("gateway+k8s://", "gateway+k8s://: column 15: missing host");
	bad("gateway+k8s://h/apis", "gateway+k8s://h/apis: column 16: "
	    "gateway+k8s:// takes no path (only a trailing '/')");
}

static void
test_bad_general(void **state)
{
	char big[2100], want[200];

	(void)state;
	bad("127.0.0.1:80", "127.0.0.1:80: column 1: missing '://' (a target "
	    "is SCHEME://..., schemes: " SCHEMES ")");
	bad("", ": column 1: empty target");
	bad("://x", "://x: column 1: missing scheme before '://' (schemes: "
	    SCHEMES ")");
	bad("gopher://x:1", "gopher://x:1: column 1: unknown scheme 'gopher' "
	    "(known: " SCHEMES ")");
	bad("tcp://a b:1", "tcp://a b:1: column 8: space in URL");
	bad("tcp://a\nb:1", "tcp://a\\x0ab:1: column 8: control character "
	    "0x0a in URL");
	bad("tcp://a:1\x7f", "tcp://a:1\\x7f: column 10: control character "
	    "0x7f in URL");

	/* 2048 bytes are allowed, 2049 are not, and only 60 are echoed. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "tcp://", 6);
	memcpy(big + 2048 - 2, ":1", 3);
	assert_int_equal(nd_target_parse(arena, big, "x", &(struct nd_target *){
	    NULL }, err, sizeof(err)), -EINVAL);
	/*
	 * A 2040-character host is a bad name, not a too-long URL, and the
	 * echo is cut so that the reason fits.
	 */
	memcpy(want, big, 60);
	memcpy(want + 60, "...: column 7: host '", 22);
	assert_memory_equal(err, want, 81);
	assert_non_null(strstr(err, "': label longer than 63 characters"));
	memset(big, 'a', sizeof(big));
	memcpy(big, "tcp://", 6);
	big[2049] = '\0';
	memcpy(want, big, 60);
	memcpy(want + 60, "...: column 2049: URL longer than 2048 bytes",
	    sizeof("...: column 2049: URL longer than 2048 bytes"));
	bad(big, want);
}

static void
test_bad_host_port(void **state)
{
	(void)state;
	bad("tcp://127.0.0.1:65536", "tcp://127.0.0.1:65536: column 17: port "
	    "65536 out of range 1-65535");
	bad("tcp://127.0.0.1:0", "tcp://127.0.0.1:0: column 17: port 0 out of "
	    "range 1-65535");
	bad("k8s://h:6443x", "k8s://h:6443x: column 9: port '6443x' is not a "
	    "number");
	bad("tcp://h:-1", "tcp://h:-1: column 9: port '-1' is not a number");
	bad("tcp://127.0.0.1", "tcp://127.0.0.1: column 16: missing port "
	    "(tcp://HOST:PORT)");
	bad("tls://h:", "tls://h:: column 9: missing port after ':'");
	bad("tcp://:80", "tcp://:80: column 7: missing host");
	bad("talos://", "talos://: column 9: missing host");
	bad("talos://?sni=x", "talos://?sni=x: column 9: missing host");
	bad("tcp://::1:80", "tcp://::1:80: column 7: an IPv6 address must be "
	    "in brackets, e.g. tcp://[::1]:PORT");
	bad("tcp://[::1:80", "tcp://[::1:80: column 7: missing ']' after the "
	    "IPv6 address");
	bad("tcp://[]:80", "tcp://[]:80: column 7: empty IPv6 address '[]'");
	bad("tcp://[fe80::1%eth0]:80", "tcp://[fe80::1%eth0]:80: column 15: "
	    "IPv6 zone '%eth0' is not supported; give the address without it");
	bad("tcp://[1.2.3.4]:80", "tcp://[1.2.3.4]:80: column 8: '1.2.3.4' is "
	    "not an IPv6 address");
	bad("tcp://[::1]x:80", "tcp://[::1]x:80: column 12: expected ':PORT' "
	    "after ']'");
	bad("tcp://1.2.3.256:80", "tcp://1.2.3.256:80: column 7: '1.2.3.256' "
	    "is not an IPv4 address");
	bad("tcp://a..b:80", "tcp://a..b:80: column 9: host 'a..b': empty "
	    "label");
	bad("tcp://user@h:80", "tcp://user@h:80: column 11: host 'user@h': "
	    "character not allowed in a name (letters, digits, '-', '_' and "
	    "'.')");
	bad("tcp://h:1/", "tcp://h:1/: column 10: tcp:// takes no path");
	bad("k8s://h/version", "k8s://h/version: column 8: k8s:// takes no "
	    "path (only a trailing '/')");
	bad("port://0", "port://0: column 8: port 0 out of range 1-65535");
	bad("port://", "port://: column 8: missing port "
	    "(port://[ADDR:]PORT)");
	bad("port://localhost:80", "port://localhost:80: column 8: ADDR must "
	    "be an IP address (port://[ADDR:]PORT)");
	bad("port://::1:80", "port://::1:80: column 8: an IPv6 address must "
	    "be in brackets, e.g. port://[::1]:PORT");
}

static void
test_bad_query(void **state)
{
	(void)state;
	bad("tls://h:1?foo=1", "tls://h:1?foo=1: column 11: unknown query key "
	    "'foo' (tls:// takes sni, ca)");
	bad("tcp://h:1?sni=x", "tcp://h:1?sni=x: column 11: unknown query key "
	    "'sni' (tcp:// takes no query)");
	bad("tls://h:1?sni=a&sni=b", "tls://h:1?sni=a&sni=b: column 17: "
	    "repeated query key 'sni'");
	bad("tls://h:1?ca=", "tls://h:1?ca=: column 14: empty value for 'ca'");
	bad("tls://h:1?ca", "tls://h:1?ca: column 11: query key 'ca' has no "
	    "value (ca=VALUE)");
	bad("tls://h:1?", "tls://h:1?: column 10: empty query after '?'");
	bad("tls://h:1?ca=x&", "tls://h:1?ca=x&: column 16: empty query "
	    "parameter");
	bad("tls://h:1?=x", "tls://h:1?=x: column 11: empty query key");
	bad("tls://h:1?ca=a%2", "tls://h:1?ca=a%2: column 15: bad "
	    "percent-escape '%2' (expected %XX with two hex digits)");
	bad("tls://h:1?ca=%zz", "tls://h:1?ca=%zz: column 14: bad "
	    "percent-escape '%zz' (expected %XX with two hex digits)");
	bad("tls://h:1?ca=%0a", "tls://h:1?ca=%0a: column 14: percent-escape "
	    "'%0a' decodes to a control character");
	bad("tls://h:1?sni=a_b!", "tls://h:1?sni=a_b!: column 15: sni 'a_b!': "
	    "character not allowed in a name (letters, digits, '-', '_' and "
	    "'.')");
}

static void
test_bad_dns(void **state)
{
	char name[300], url[1300];

	(void)state;
	bad("dns://1.1.1.1", "dns://1.1.1.1: column 14: missing NAME to query "
	    "(dns://SERVER/NAME)");
	bad("dns://1.1.1.1/", "dns://1.1.1.1/: column 15: missing NAME to "
	    "query (dns://SERVER/NAME)");
	bad("dns://1.1.1.1/a.b?expect=1.2.3", "dns://1.1.1.1/a.b?expect=1.2.3: "
	    "column 26: expect '1.2.3' is not an IP address");
	bad("dns://1.1.1.1/a?expect=1.2.3.4,,1.2.3.5", "dns://1.1.1.1/a?"
	    "expect=1.2.3.4,,1.2.3.5: column 32: empty address in expect");
	bad("dns://1.1.1.1/a?expect=1.2.3.4,::1", "dns://1.1.1.1/a?expect="
	    "1.2.3.4,::1: column 32: expect ::1 is IPv6 but type is A (the "
	    "default; add type=AAAA)");
	bad("dns://1.1.1.1/a?type=AAAA&expect=1.2.3.4", "dns://1.1.1.1/a?"
	    "type=AAAA&expect=1.2.3.4: column 34: expect 1.2.3.4 is IPv4 but "
	    "type is AAAA");
	bad("dns://1.1.1.1/a?type=MX", "dns://1.1.1.1/a?type=MX: column 22: "
	    "type 'MX' is not A or AAAA");
	bad("dns://1.1.1.1/a?upstream=one", "dns://1.1.1.1/a?upstream=one: "
	    "column 26: upstream 'one' is not an IP address");
	bad("dns://1.1.1.1/a?sni=x", "dns://1.1.1.1/a?sni=x: column 17: "
	    "unknown query key 'sni' (dns:// takes expect, type, upstream)");
	bad("dns://1.1.1.1/a/b", "dns://1.1.1.1/a/b: column 16: name 'a/b': "
	    "character not allowed in a name (letters, digits, '-', '_' and "
	    "'.')");
	bad("dns://1.1.1.1:0/a", "dns://1.1.1.1:0/a: column 15: port 0 out of "
	    "range 1-65535");

	/* A 64-character label and a 254-character name. */
	memset(name, 'a', 64);
	name[64] = '\0';
	snprintf(url, sizeof(url), "dns://1.1.1.1/x.%s", name);
	assert_int_equal(nd_target_parse(arena, url, "t",
	    &(struct nd_target *){ NULL }, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": column 17: name 'x.aaaa"));
	assert_non_null(strstr(err, "': label longer than 63 characters"));
	name[63] = '\0';
	snprintf(url, sizeof(url), "dns://1.1.1.1/%s.%s.%s.%s", name, name,
	    name, name);
	/* 4*63+3 = 255 characters */
	assert_int_equal(nd_target_parse(arena, url, "t",
	    &(struct nd_target *){ NULL }, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": column 268: name '"));
	assert_non_null(strstr(err, "': name longer than 253 characters"));
	/* 253 characters, and the same with the trailing dot, are fine. */
	snprintf(url, sizeof(url), "dns://1.1.1.1/%s.%s.%s.%.61s", name, name,
	    name, name);
	(void)ok(url);
	snprintf(url, sizeof(url), "dns://1.1.1.1/%s.%s.%s.%.61s.", name, name,
	    name, name);
	(void)ok(url);
}

static void
test_bad_arp(void **state)
{
	struct nd_target *t;
	char url[4200];
	size_t len, i;

	(void)state;
	bad("arp:///10.0.0.1", "arp:///10.0.0.1: column 7: missing interface "
	    "(arp://IFACE/IP)");
	bad("arp://eth0:1/10.0.0.1", "arp://eth0:1/10.0.0.1: column 11: "
	    "character not allowed in an interface name (letters, digits, '.', "
	    "'_', '-', '@')");
	bad("arp://a234567890123456/10.0.0.1", "arp://a234567890123456/"
	    "10.0.0.1: column 7: interface name longer than 15 characters");
	bad("arp://eth0", "arp://eth0: column 11: missing addresses "
	    "(arp://IFACE/IP[,IP...])");
	bad("arp://eth0/10.0.0.1,fd00::1", "arp://eth0/10.0.0.1,fd00::1: "
	    "column 21: 'fd00::1' is IPv6; arp:// checks IPv4 addresses only");
	bad("arp://eth0/10.0.0.1,", "arp://eth0/10.0.0.1,: column 21: empty "
	    "address in the list");
	bad("arp://eth0/host", "arp://eth0/host: column 12: 'host' is not an "
	    "IPv4 address");
	bad("arp://eth0/10.0.0.1?x=1", "arp://eth0/10.0.0.1?x=1: column 21: "
	    "unknown query key 'x' (arp:// takes mac, tries, window)");

	/*
	 * 255 of the shortest IPv4 literals fill a 2048-byte URL, so the
	 * 256-address cap is reached only by derived targets.
	 */
	len = (size_t)snprintf(url, sizeof(url), "arp://e/1.1.1.0");
	for (i = 1; i < 255; i++)
		len += (size_t)snprintf(url + len, sizeof(url) - len,
		    ",1.1.1.%zu", i % 10);
	assert_true(len <= 2048);
	assert_int_equal(nd_target_parse(arena, url, "t", &t, err,
	    sizeof(err)), 0);
	assert_string_equal(t->x->ips[254], "1.1.1.4");
	assert_null(t->x->ips[255]);
	snprintf(url + len, sizeof(url) - len, ",2.2.2.2");
	assert_int_equal(nd_target_parse(arena, url, "t", &t, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "...: column 2049: URL longer than 2048 "
	    "bytes"));
}

static void
test_key(void **state)
{
	struct nd_target *a, *b;

	(void)state;
	a = ok("tcp://[::1]:80");
	b = ok("tcp://[0:0::1]:80");
	assert_string_equal(nd_target_key(arena, a), "tcp|::1|80");
	assert_string_equal(nd_target_key(arena, a), nd_target_key(arena, b));

	a = ok("k8s://Kube.Lab.:6443");
	b = ok("k8s://kube.lab/");
	assert_string_equal(nd_target_key(arena, a), nd_target_key(arena, b));
	assert_string_equal(nd_target_key(arena, a),
	    "k8s|kube.lab|6443|sni=|ca=");

	a = ok("dns://1.1.1.1/x?expect=10.0.0.2,10.0.0.1");
	b = ok("dns://1.1.1.1:53/X.?expect=10.0.0.1,10.0.0.2&type=A");
	assert_string_equal(nd_target_key(arena, a), nd_target_key(arena, b));
	assert_string_equal(nd_target_key(arena, a),
	    "dns|1.1.1.1|53|q=x|t=A|e=10.0.0.1,10.0.0.2|u=");

	a = ok("tls://h:1?sni=a");
	b = ok("tls://h:1?sni=b");
	assert_string_not_equal(nd_target_key(arena, a),
	    nd_target_key(arena, b));
	a = ok("tcp://h:1");
	b = ok("tls://h:1");
	assert_string_not_equal(nd_target_key(arena, a),
	    nd_target_key(arena, b));

	a = ok("arp://eth0/10.0.0.2,10.0.0.1");
	b = ok("arp://eth0/10.0.0.1,10.0.0.2");
	assert_string_equal(nd_target_key(arena, a),
	    "arp|eth0|ips=10.0.0.1,10.0.0.2|mac=|0|0|");
	assert_string_equal(nd_target_key(arena, a), nd_target_key(arena, b));

	a = ok("https://Sonarr.Lab./x?nd-connect=10.0.0.1&nd-status=200");
	b = ok("https://sonarr.lab/x?nd-status=200&nd-connect=10.0.0.1");
	assert_string_equal(nd_target_key(arena, a), nd_target_key(arena, b));
	assert_string_equal(nd_target_key(arena, a),
	    "https|sonarr.lab|443|c=10.0.0.1|s=200-200|2:/x|0:|0:|0:");
	b = ok("https://sonarr.lab/X?nd-status=200&nd-connect=10.0.0.1");
	assert_string_not_equal(nd_target_key(arena, a),
	    nd_target_key(arena, b));
	/* Free-form fields cannot spill into each other. */
	a = ok("https://h/?nd-body=a%7C1:b");
	b = ok("https://h/?nd-body=a&nd-ca=b");
	assert_string_not_equal(nd_target_key(arena, a),
	    nd_target_key(arena, b));
	a = ok("http://h/");
	b = ok("https://h:80/");
	assert_string_not_equal(nd_target_key(arena, a),
	    nd_target_key(arena, b));

	a = ok("port://6443");
	b = ok("port://0.0.0.0:6443");
	assert_string_equal(nd_target_key(arena, a), "port|-|6443");
	assert_string_not_equal(nd_target_key(arena, a),
	    nd_target_key(arena, b));
}

/*
 * nd_target_key_write: the key nd_target_key returns, cut to the buffer
 * as snprintf(3) cuts; canonical forms of every listed field.
 */
static void
test_key_write(void **state)
{
	static const char *const urls[] = {
		"DNS://[FD00:0::53]:5353/a.lab?type=aaaa&expect=FD00::2,"
		    "fd00:0:0::1&upstream=0::1",
		"arp://eth0/10.0.0.2,10.0.0.1?mac=AA:BB:CC:DD:EE:FF,"
		    "00:11:22:33:44:55&tries=3&window=250ms",
		"https://Web.Lab./x?nd-status=200,301-399&nd-connect=[0::1]:8443"
		    "&nd-body=ok",
		"http+unix://h/?nd-unix=/run/x",
	};
	static const char *const keys[] = {
		"dns|fd00::53|5353|q=a.lab|t=AAAA|e=fd00::1,fd00::2|u=::1",
		"arp|eth0|ips=10.0.0.1,10.0.0.2|mac=00:11:22:33:44:55,"
		    "aa:bb:cc:dd:ee:ff|3|250|",
		"https|web.lab|8443|c=::1|s=200-200,301-399|2:/x|2:ok|0:|0:",
		"http+unix|h|80|c=|s=|1:/|0:|0:|6:/run/x",
	};
	char buf[64], path[1200], url[1300], *k;
	struct nd_target *t;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		t = ok(urls[i]);
		assert_string_equal(nd_target_key(arena, t), keys[i]);
		n = strlen(keys[i]);
		assert_int_equal(nd_target_key_write(arena, t, buf,
		    sizeof(buf)), n);
		if (n < sizeof(buf))
			assert_string_equal(buf, keys[i]);
		else {
			assert_int_equal(strlen(buf), sizeof(buf) - 1);
			assert_memory_equal(buf, keys[i], sizeof(buf) - 1);
		}
		/* Cut to nothing, and no buffer at all. */
		assert_int_equal(nd_target_key_write(arena, t, buf, 1), n);
		assert_string_equal(buf, "");
		assert_int_equal(nd_target_key_write(arena, t, NULL, 0), n);
	}

	/* A key longer than nd_target_key's own buffer. */
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	snprintf(url, sizeof(url), "https://H.Lab./%s", path);
	t = ok(url);
	k = nd_target_key(arena, t);
	assert_int_equal(strlen(k), strlen("https|h.lab|443|c=|s=|1200:/") +
	    strlen(path) + strlen("|0:|0:|0:"));
	assert_int_equal(strncmp(k, "https|h.lab|443|c=|s=|1200:/pp", 30), 0);
	assert_int_equal(nd_target_key_write(arena, t, NULL, 0), strlen(k));
}

/*
 * The parser's fast paths give the answers of the slow ones: bytes are
 * checked a word at a time (the first bad byte is still the one named),
 * IPv4 literals without inet_pton(3), scheme names in any case, the web
 * length limit looked up only past 2048 bytes.
 */
static void
test_fast_paths(void **state)
{
	static const char base[] = "dns://10.200.53.2/bench-1.lab.test?"
	    "expect=10.200.0.2";
	static const unsigned char bytes[] = { 0x01, 0x09, 0x1f, ' ', 0x7f };
	char url[sizeof(base) + 8], want[300], web[2058];
	struct nd_target *t;
	size_t i, j, n = sizeof(base) - 1;

	(void)state;
	for (i = 0; i <= n; i++)
		for (j = 0; j < sizeof(bytes); j++) {
			memcpy(url, base, i);
			url[i] = (char)bytes[j];
			memcpy(url + i + 1, base + i, n - i + 1);
			if (bytes[j] == ' ')
				snprintf(want, sizeof(want), "%.*s %s: column "
				    "%zu: space in URL", (int)i, base, base + i,
				    i + 1);
			else
				snprintf(want, sizeof(want), "%.*s\\x%02x%s: "
				    "column %zu: control character 0x%02x in "
				    "URL", (int)i, base, bytes[j], base + i,
				    i + 1, bytes[j]);
			bad(url, want);
		}
	/* The first of two bad bytes, in the same word or the next. */
	bad("tcp://ab\x01" "c\x02:1", "tcp://ab\\x01c\\x02:1: column 9: "
	    "control character 0x01 in URL");
	bad("tcp://abcdefgh ijklmno\x01:1", "tcp://abcdefgh ijklmno\\x01:1: "
	    "column 15: space in URL");

	t = ok("dns://0.0.0.0/a?expect=255.255.255.255,10.0.0.1%2C10.0.0.2");
	assert_string_equal(t->x->qtype, "A");
	assert_string_equal(t->x->expect[0], "255.255.255.255");
	assert_string_equal(t->x->expect[1], "10.0.0.1");
	assert_string_equal(t->x->expect[2], "10.0.0.2");
	assert_null(t->x->expect[3]);
	t = ok("dns://1.1.1.1/a?type=aaaa&expect=::1,fd00::1");
	assert_string_equal(t->x->qtype, "AAAA");
	assert_string_equal(t->x->expect[1], "fd00::1");
	bad("tcp://01.2.3.4:1", "tcp://01.2.3.4:1: column 7: '01.2.3.4' is not "
	    "an IPv4 address");
	bad("tcp://1.2.3.4.:1", "tcp://1.2.3.4.:1: column 7: '1.2.3.4.' is not "
	    "an IPv4 address");
	bad("tcp://1.2.3.256:1", "tcp://1.2.3.256:1: column 7: '1.2.3.256' is "
	    "not an IPv4 address");
	bad("tcp://1..2.3:1", "tcp://1..2.3:1: column 7: '1..2.3' is not an "
	    "IPv4 address");
	bad("dns://1.1.1.1/a?expect=10.0.0.01", "dns://1.1.1.1/a?expect="
	    "10.0.0.01: column 24: expect '10.0.0.01' is not an IP address");
	bad("dns://1.1.1.1/a?expect=1.2.3.4.5", "dns://1.1.1.1/a?expect="
	    "1.2.3.4.5: column 24: expect '1.2.3.4.5' is not an IP address");

	t = ok("Tcp://h:1");
	assert_int_equal(t->scheme, ND_S_TCP);
	t = ok("HTTP+Unix://h/?nd-unix=/run/x");
	assert_int_equal(t->scheme, ND_S_HTTP_UNIX);
	bad("tcpx://h:1", "tcpx://h:1: column 1: unknown scheme 'tcpx' "
	    "(known: " SCHEMES ")");
	/* An upper-case web scheme still takes a URL past 2048 bytes. */
	memset(web, 'a', sizeof(web));
	memcpy(web, "HTTPS://h/", 10);
	web[sizeof(web) - 1] = '\0';
	t = ok(web);
	assert_int_equal(t->scheme, ND_S_HTTPS);
}

static void
test_scheme_name(void **state)
{
	(void)state;
	assert_string_equal(nd_scheme_name(ND_S_TCP), "tcp");
	assert_string_equal(nd_scheme_name(ND_S_TLS), "tls");
	assert_string_equal(nd_scheme_name(ND_S_TALOS), "talos");
	assert_string_equal(nd_scheme_name(ND_S_K8S), "k8s");
	assert_string_equal(nd_scheme_name(ND_S_DNS), "dns");
	assert_string_equal(nd_scheme_name(ND_S_ARP), "arp");
	assert_string_equal(nd_scheme_name(ND_S_PORT), "port");
	assert_null(nd_target_chain(NULL));
}

/* nd_target_parse_at: the reason alone, and the offset it is about. */
static void
test_parse_at(void **state)
{
	struct nd_target *t = NULL;
	size_t at = 99;

	(void)state;
	assert_int_equal(nd_target_parse_at(arena, "https://h/?nd-status=999",
	    "x", &t, err, sizeof(err), &at), -EINVAL);
	assert_string_equal(err, "nd-status: status 999 out of range 100-599");
	assert_int_equal(at, 21);
	assert_null(t);
	assert_int_equal(nd_target_parse_at(arena, "tcp://h:0", "x", &t, err,
	    sizeof(err), &at), -EINVAL);
	assert_string_equal(err, "port 0 out of range 1-65535");
	assert_int_equal(at, 8);
	at = 99;
	assert_int_equal(nd_target_parse_at(arena, "https://h/?nd-status=200",
	    "x", &t, err, sizeof(err), &at), 0);
	assert_int_equal(at, 99);
	assert_int_equal(t->x->status[0].lo, 200);
}

static void
test_err_small_buffer(void **state)
{
	struct nd_target *t = NULL;
	char small[8];

	(void)state;
	/* A short buffer truncates; a NULL buffer is allowed. */
	assert_int_equal(nd_target_parse(arena, "tcp://h:0", NULL, &t, small,
	    sizeof(small)), -EINVAL);
	assert_string_equal(small, "tcp://h");
	assert_int_equal(nd_target_parse(arena, "tcp://h:0", NULL, &t, NULL,
	    0), -EINVAL);
	assert_null(t);
	assert_int_equal(nd_target_parse(arena, "tcp://h:1", NULL, &t, NULL,
	    0), 0);
	assert_null(t->origin);
}

static void
test_arp_pcap_and_macs(void **state)
{
	struct nd_arena *a = nd_arena_new();
	struct nd_target *t;

	(void)state;
	assert_int_equal(nd_target_parse(a,
	    "arp+pcap://fixtures/arp/dup.pcap/10.0.0.1,10.0.0.2?mac=AA:bb:cc:dd:ee:01",
	    "cli", &t, err, sizeof(err)), 0);
	assert_int_equal(t->scheme, ND_S_ARP_PCAP);
	assert_string_equal(t->x->path, "fixtures/arp/dup.pcap");
	assert_null(t->x->iface);
	assert_string_equal(t->x->ips[0], "10.0.0.1");
	assert_string_equal(t->x->ips[1], "10.0.0.2");
	assert_null(t->x->ips[2]);
	assert_string_equal(t->x->macs[0], "AA:bb:cc:dd:ee:01");
	assert_null(t->x->macs[1]);
	assert_string_equal(nd_target_chain(t)[0], "arp");
	assert_string_equal(nd_scheme_name(t->scheme), "arp+pcap");
	assert_int_equal(nd_target_parse(a, "arp://eth0/10.0.0.1?mac=zz:00:00:00:00:00",
	    "cli", &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'zz:00:00:00:00:00' is not a MAC"));
	assert_int_equal(nd_target_parse(a, "arp://e0/10.0.0.1?tries=5&window=2s",
	    "cli", &t, err, sizeof(err)), 0);
	assert_int_equal(t->x->tries, 5);
	assert_int_equal(t->x->window_ms, 2000);
	assert_int_equal(nd_target_parse(a, "arp://e0/10.0.0.1?tries=11", "cli",
	    &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "tries must be a number from 1 to 10"));
	assert_int_equal(nd_target_parse(a, "arp://e0/10.0.0.1?window=5ms", "cli",
	    &t, err, sizeof(err)), -EINVAL);
	assert_int_equal(nd_target_parse(a, "arp+pcap:///10.0.0.1", "cli", &t,
	    err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "missing capture file"));
	nd_arena_free(a);
}


/* cloudflared://[HOST[:PORT]]: its metrics server; nothing is loopback. */
static void
test_cloudflared(void **state)
{
	struct nd_target *t;

	(void)state;
	t = ok("cloudflared://");
	assert_int_equal(t->scheme, ND_S_CLOUDFLARED);
	assert_string_equal(t->host, "127.0.0.1");
	assert_int_equal(t->port, 20241);
	assert_false(t->cf_port_given);
	assert_chain(t, "route,tcp,cloudflared");
	t = ok("cloudflared://127.0.0.1:20243");
	assert_int_equal(t->port, 20243);
	assert_true(t->cf_port_given);
	t = ok("cloudflared://[::1]:20244/");
	assert_string_equal(t->host, "::1");
	assert_true(t->cf_port_given);
	t = ok("cloudflared://[::1]");
	assert_false(t->cf_port_given);
	assert_int_equal(t->port, 20241);
	t = ok("cloudflared://tunnel-host.lab");
	assert_false(t->cf_port_given);
	bad("cloudflared://127.0.0.1:20241/ready", "cloudflared://127.0.0.1:"
	    "20241/ready: column 30: cloudflared:// takes no path (the probe "
	    "asks /ready and /metrics)");
	bad("cloudflared://127.0.0.1:0", "cloudflared://127.0.0.1:0: column "
	    "25: port 0 out of range 1-65535");
	bad("cloudflared://h?x=1", "cloudflared://h?x=1: column 17: unknown "
	    "query key 'x' (cloudflared:// takes no query)");
}

static void
test_unix(void **state)
{
	struct nd_target *t;
	char big[200];

	(void)state;
	t = ok("unix:///run/app.sock");
	assert_int_equal(t->scheme, ND_S_UNIX);
	assert_string_equal(t->x->path, "/run/app.sock");
	assert_string_equal(nd_target_unix(t), "/run/app.sock");
	assert_null(t->host);
	assert_chain(t, "unix");
	t = ok("unix:///run/a%20b.sock");
	assert_string_equal(t->x->path, "/run/a b.sock");
	bad("unix://", "unix://: column 8: expected an absolute socket path "
	    "(unix:///PATH)");
	bad("unix://run/app.sock", "unix://run/app.sock: column 8: expected "
	    "an absolute socket path (unix:///PATH)");
	memset(big, 'p', sizeof(big));
	memcpy(big, "unix:///", 8);
	big[8 + 108] = '\0';
	bad(big, nd_arena_printf(arena, "%s: column 8: socket path of 109 "
	    "bytes: a unix socket's path has at most 107 (unix(7))", big));

	/* Sent as http:// on the socket; the host is only the Host header. */
	t = ok("http+unix://grafana.home.example.com/login?a=1&nd-unix=/run/"
	    "g%26f.sock&nd-status=100-599");
	assert_int_equal(t->scheme, ND_S_HTTP_UNIX);
	assert_string_equal(t->host, "grafana.home.example.com");
	assert_string_equal(t->x->request, "http://grafana.home.example.com/"
	    "login?a=1");
	assert_string_equal(t->x->reqpath, "/login?a=1");
	assert_string_equal(t->x->path, "/run/g&f.sock");
	assert_true(nd_target_status_ok(t, 503));
	assert_chain(t, "unix,http");
	t = ok("http+unix://10.0.0.1:8080?nd-unix=/s");
	assert_string_equal(t->x->request, "http://10.0.0.1:8080");
	assert_string_equal(t->x->reqpath, "");
	assert_null(nd_target_ip(t));
	assert_chain(t, "unix,http");
	bad("http+unix://h/", "http+unix://h/: column 15: missing "
	    "nd-unix=/PATH: the socket that http+unix:// sends its request "
	    "to");
	bad("http+unix://h/?nd-unix=s", "http+unix://h/?nd-unix=s: column 24: "
	    "expected an absolute socket path (nd-unix=/PATH)");
	bad("http+unix://h/?nd-unix=/s&nd-connect=1.2.3.4", "http+unix://h/?"
	    "nd-unix=/s&nd-connect=1.2.3.4: column 27: nd-connect is for "
	    "http:// and https:// (http+unix:// connects to its nd-unix "
	    "socket)");
	bad("http+unix://h/?nd-unix=/s&nd-ca=x", "http+unix://h/?nd-unix=/s&"
	    "nd-ca=x: column 27: nd-ca is for https:// (http+unix:// has no "
	    "certificate to check)");
	bad("http+unix://h/?nd-x=1", "http+unix://h/?nd-x=1: column 16: "
	    "unknown netdoctor parameter 'nd-x' (http+unix:// takes nd-unix, "
	    "nd-status, nd-body)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_pcap_and_macs),
		cmocka_unit_test_setup_teardown(test_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_talos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_k8s, setup, teardown),
		cmocka_unit_test_setup_teardown(test_web, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_web, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cloudflared, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_general, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_host_port, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_query, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_dns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fast_paths, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_key_write, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tailscale, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_scheme_name, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_parse_at, setup, teardown),
		cmocka_unit_test_setup_teardown(test_err_small_buffer, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
