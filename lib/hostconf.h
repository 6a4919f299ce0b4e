/* The host configuration (/etc/mirrorprov/host.conf, mirrorprov.conf(5)).
 *
 * API:
 *   struct hostconf hc = {0};
 *   _cleanup_free_ char *err = NULL;
 *   r = hostconf_load(path, HOSTCONF_MIRROR, &hc, &err);   // -errno, err = "FILE:LINE: reason"
 *   ... hc.mirror.root, hc.host.urls.https ...
 *   hostconf_free(&hc);
 *
 * All sections (host, storage, mirror, backend, backends, profile) are
 * parsed and validated when present; `need` names the sections the caller cannot do without (a
 * missing one is "FILE: missing section 'mirror'").  Unknown keys are errors
 * ("FILE:LINE: unknown key 'x'"); so are missing required keys, wrong types,
 * ftp:// or other non-http(s)/rsync URLs, unsafe names (user, profiles, label)
 * and non-absolute or '..' paths.  Sizes take k/K/KiB … t/T/TiB suffixes.
 * The backend password is never loaded here: read it with hostconf_read_secret()
 * (which refuses a file readable by group or others) and never print it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOSTCONF_DEFAULT_PATH "/etc/mirrorprov/host.conf"
/* host.max_connections when unset: the rsync daemon's limit and MirrorManager's "Max connections". */
#define HOSTCONF_DEFAULT_MAX_CONNECTIONS 100
/* backend.timeout when unset: how long a checkin waits for the reply.  MirrorManager
 * updates its database before it answers: its own checkin code took 633 s of server
 * time for the first checkin of 100,000 directories (issue 11), so 30 minutes leave
 * about three times that for a large tree on a busy server. */
#define HOSTCONF_DEFAULT_BACKEND_TIMEOUT "30min"
/* mirror.user when unset: owns the tree and runs the syncs. */
#define HOSTCONF_DEFAULT_USER "mirror"

enum hostconf_section {
	HOSTCONF_HOST = 1 << 0,
	HOSTCONF_STORAGE = 1 << 1,
	HOSTCONF_MIRROR = 1 << 2,
	HOSTCONF_BACKEND = 1 << 3,
};

struct hostconf_host {
	char *name;               /* FQDN (MirrorManager "Host name"), required */
	char *site;               /* organisation, required */
	char *site_url;           /* optional, http(s) URL */
	char *admin_email;        /* required */
	char *country;            /* ISO 3166 alpha-2, upper case, required */
	uint64_t bandwidth_mbit;  /* required, >= 1 */
	uint64_t max_connections; /* default HOSTCONF_DEFAULT_MAX_CONNECTIONS */
	uint64_t asn;             /* 0: not stated */
	bool private_mirror;      /* key "private" */
	/* host.urls: base URLs, each optional but at least one of http/https required;
	 * stored as written (use url_join() from lib/names.h to append a path). */
	char *url_http, *url_https, *url_rsync;
	char **addresses;         /* optional: the server's public IP addresses (upstream rsync ACLs) */
	char *location;           /* optional: "City, State/Province" for registration forms */
};

struct hostconf_storage {
	char *device;             /* WWID or /dev path, required */
	char *raid_level;         /* "raid0" … "raid60", required */
	uint64_t raid_disks;      /* required */
	uint64_t raid_spares;     /* default 0 */
	uint64_t raid_spans;      /* 0: not given (raid50/60 default) */
	uint64_t raid_chunk;      /* bytes; 0: not given */
	bool partition;           /* default false */
	char *label;              /* default "mirror" */
	char *mountpoint;         /* required, absolute */
	char *mount_options;      /* default "noatime" */
};

struct hostconf_mirror {
	char *root;               /* required, absolute: the profiles' directories live below */
	char *user;               /* default HOSTCONF_DEFAULT_USER */
	char **profiles;          /* NULL-terminated profile names (may be empty) */
	char *http_server;        /* "nginx" (default) */
	char *tls_certificate;    /* optional, absolute */
	char *tls_key;            /* optional, absolute */
	char *status_path;        /* optional URL path of the public status page, "/status/" */
	char *prometheus_file;    /* optional, absolute: node_exporter textfile written after each sync and check */
};

/* A backend instance: one registration channel (a MirrorManager server, a
 * mirrorbits RPC, a project's manual form).  The single `backend` group is the
 * instance named "default"; `backends: { NAME: { ... }; }` declares more. */
struct hostconf_backend {
	char *name;               /* "default" or the key in backends */
	char *type;               /* mirrormanager | mirrorbits | mirrorbrain | mirrorcache | debian | almalinux |
				     launchpad | archlinux */
	char *url;                /* optional http(s) URL */
	char *password_file;      /* optional absolute path; the secret itself is not loaded */
	char *program;            /* optional: the backend's CLI (mirrorbits, mb), absolute path or name */
	char *rpc;                /* optional: mirrorbits RPC "HOST:PORT" */
	uint64_t timeout;         /* seconds to wait for a checkin's reply; HOSTCONF_DEFAULT_BACKEND_TIMEOUT */
	unsigned line;            /* where it was declared */
};

#define HOSTCONF_DEFAULT_BACKEND "default"

/* profile: { NAME: { upstream = "rsync://…"; backend = "INSTANCE"; }; … }: per-profile settings of this host. */
struct hostconf_profile {
	char *name;               /* a profile name (need not be in mirror.profiles) */
	char *upstream;           /* rsync://HOST[:PORT]/MODULE/ to pull from instead of the profile's default */
	char *backend;            /* the instance it registers with instead of its default, or NULL */
	unsigned backend_line;
};

struct hostconf {
	char *path;               /* the file it came from */
	bool has_host, has_storage, has_mirror, has_backend;
	struct hostconf_host host;
	struct hostconf_storage storage;
	struct hostconf_mirror mirror;
	struct hostconf_backend backend;    /* the single block (has_backend) */
	struct hostconf_backend *backends;  /* named instances, in file order */
	size_t n_backends;
	struct hostconf_profile *profiles;
	size_t n_profiles;
};

/* Loads and validates path (NULL: HOSTCONF_DEFAULT_PATH).  need: OR of
 * enum hostconf_section.  0, or -errno with *error = "FILE:LINE: reason"
 * (malloc'd; NULL only on ENOMEM).  hc is left empty on failure. */
int hostconf_load(const char *path, unsigned need, struct hostconf *hc, char **error);
void hostconf_free(struct hostconf *hc);
/* The settings of profile name, or NULL. */
const struct hostconf_profile *hostconf_profile(const struct hostconf *hc, const char *name);

/* Refuses (-EPERM) a secret file that group or others may access, or that is
 * owned by someone other than root or the caller; -errno when it cannot be
 * stat'ed; -EINVAL when it is not a regular file. */
int hostconf_check_secret_file(const char *path);
/* hostconf_check_secret_file(), then the first line (at most 4 KiB, without
 * the newline and trailing blanks) into *ret; -ENODATA when that line is
 * empty (or the file is).  Never log the result. */
int hostconf_read_secret(const char *path, char **ret);

/* The instance called name ("default": the backend block), or NULL. */
const struct hostconf_backend *hostconf_backend_find(const struct hostconf *hc, const char *name);
