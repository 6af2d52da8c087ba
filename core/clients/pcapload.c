/*
 * pcapload.c - libpcap, loaded when the arp probe first needs it.
 *
 * libpcap brings about ten libraries (D-Bus, RDMA, netlink generic ...)
 * that the dynamic loader would resolve at every start, for the one probe
 * that captures frames.  As with libcurl (curlload.c, docs/performance.md),
 * netdoctor does not link it: these definitions, with pcap/pcap.h's own
 * prototypes, dlopen() it on the first call and forward.  The functions
 * that open a handle say in their error buffer when it cannot be loaded;
 * the others are only reached through a handle, so it is loaded by then.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#include <pcap/pcap.h>

#define ND_PCAP_SONAME	"libpcap.so.0.8"

static struct {
	int	 state;		/* 0 not tried, 1 loaded, -1 failed */
	void	*dl;
	pcap_t *(*create)(const char *, char *);
	pcap_t *(*open_offline)(const char *, char *);
	int (*set_snaplen)(pcap_t *, int);
	int (*set_promisc)(pcap_t *, int);
	int (*set_immediate_mode)(pcap_t *, int);
	int (*activate)(pcap_t *);
	void (*close)(pcap_t *);
	int (*dispatch)(pcap_t *, int, pcap_handler, u_char *);
	int (*next_ex)(pcap_t *, struct pcap_pkthdr **, const u_char **);
	int (*setfilter)(pcap_t *, struct bpf_program *);
	int (*setnonblock)(pcap_t *, int, char *);
	int (*inject)(pcap_t *, const void *, size_t);
	char *(*geterr)(pcap_t *);
	int (*compile)(pcap_t *, struct bpf_program *, const char *, int,
	    bpf_u_int32);
	int (*get_selectable_fd)(pcap_t *);
	void (*freecode)(struct bpf_program *);
	int (*datalink)(pcap_t *);
	const char *(*datalink_val_to_name)(int);
} api;

#define LOAD(field, name) \
	do { \
		*(void **)(&api.field) = dlsym(api.dl, name); \
		if (api.field == NULL) \
			goto fail; \
	} while (0)

static int
pcap_load(void)
{
	if (api.state != 0)
		return api.state;
	api.state = -1;
	if ((api.dl = dlopen(ND_PCAP_SONAME, RTLD_LAZY | RTLD_LOCAL)) == NULL)
		return -1;
	LOAD(create, "pcap_create");
	LOAD(open_offline, "pcap_open_offline");
	LOAD(set_snaplen, "pcap_set_snaplen");
	LOAD(set_promisc, "pcap_set_promisc");
	LOAD(set_immediate_mode, "pcap_set_immediate_mode");
	LOAD(activate, "pcap_activate");
	LOAD(close, "pcap_close");
	LOAD(dispatch, "pcap_dispatch");
	LOAD(next_ex, "pcap_next_ex");
	LOAD(setfilter, "pcap_setfilter");
	LOAD(setnonblock, "pcap_setnonblock");
	LOAD(inject, "pcap_inject");
	LOAD(geterr, "pcap_geterr");
	LOAD(compile, "pcap_compile");
	LOAD(freecode, "pcap_freecode");
	LOAD(datalink, "pcap_datalink");
	LOAD(datalink_val_to_name, "pcap_datalink_val_to_name");
	LOAD(get_selectable_fd, "pcap_get_selectable_fd");
	api.state = 1;
	return 1;
fail:
	dlclose(api.dl);
	api.dl = NULL;
	return -1;
}

/* An opener's failure, in its own error buffer (PCAP_ERRBUF_SIZE). */
static void
pcap_load_error(char *err)
{
	if (err != NULL)
		snprintf(err, PCAP_ERRBUF_SIZE, "libpcap (%s) could not be loaded",
		    ND_PCAP_SONAME);
}

pcap_t *
pcap_create(const char *dev, char *err)
{
	if (pcap_load() <= 0) {
		pcap_load_error(err);
		return NULL;
	}
	return api.create(dev, err);
}

pcap_t *
pcap_open_offline(const char *path, char *err)
{
	if (pcap_load() <= 0) {
		pcap_load_error(err);
		return NULL;
	}
	return api.open_offline(path, err);
}

int
pcap_set_snaplen(pcap_t *p, int n)
{
	return pcap_load() > 0 ? api.set_snaplen(p, n) : PCAP_ERROR;
}

int
pcap_set_promisc(pcap_t *p, int n)
{
	return pcap_load() > 0 ? api.set_promisc(p, n) : PCAP_ERROR;
}

int
pcap_set_immediate_mode(pcap_t *p, int n)
{
	return pcap_load() > 0 ? api.set_immediate_mode(p, n) : PCAP_ERROR;
}

int
pcap_activate(pcap_t *p)
{
	return pcap_load() > 0 ? api.activate(p) : PCAP_ERROR;
}

void
pcap_close(pcap_t *p)
{
	if (pcap_load() > 0)
		api.close(p);
}

int
pcap_dispatch(pcap_t *p, int n, pcap_handler cb, u_char *user)
{
	return pcap_load() > 0 ? api.dispatch(p, n, cb, user) : PCAP_ERROR;
}

int
pcap_next_ex(pcap_t *p, struct pcap_pkthdr **h, const u_char **d)
{
	return pcap_load() > 0 ? api.next_ex(p, h, d) : PCAP_ERROR;
}

int
pcap_setfilter(pcap_t *p, struct bpf_program *f)
{
	return pcap_load() > 0 ? api.setfilter(p, f) : PCAP_ERROR;
}

int
pcap_setnonblock(pcap_t *p, int n, char *err)
{
	return pcap_load() > 0 ? api.setnonblock(p, n, err) : PCAP_ERROR;
}

int
pcap_inject(pcap_t *p, const void *buf, size_t len)
{
	return pcap_load() > 0 ? api.inject(p, buf, len) : PCAP_ERROR;
}

char *
pcap_geterr(pcap_t *p)
{
	return pcap_load() > 0 ? api.geterr(p) : NULL;
}

int
pcap_get_selectable_fd(pcap_t *p)
{
	return pcap_load() > 0 ? api.get_selectable_fd(p) : PCAP_ERROR;
}

int
pcap_compile(pcap_t *p, struct bpf_program *f, const char *s, int opt,
    bpf_u_int32 mask)
{
	return pcap_load() > 0 ? api.compile(p, f, s, opt, mask) : PCAP_ERROR;
}

void
pcap_freecode(struct bpf_program *f)
{
	if (pcap_load() > 0)
		api.freecode(f);
}

int
pcap_datalink(pcap_t *p)
{
	return pcap_load() > 0 ? api.datalink(p) : PCAP_ERROR;
}

const char *
pcap_datalink_val_to_name(int dlt)
{
	return pcap_load() > 0 ? api.datalink_val_to_name(dlt) : NULL;
}
