/*
 * ev.h — every message between threads, drivers, UI and core. Plain values
 * with fixed arrays and no pointers, so nothing is ever freed across threads.
 */
#ifndef QUAN_EV_H
#define QUAN_EV_H

#include <stddef.h>
#include <stdint.h>

#define EV_CODE_MAX 512 /* raw scan bytes kept; longer scans are rejected */
#define EV_TEXT_MAX 256

enum ev_type {
	EV_NONE = 0,
	EV_SCAN,         /* driver -> core: a scanned code */
	EV_KEY,          /* ui -> core: a semantic command */
	EV_TICK,         /* loop -> core: timer */
	EV_DRIVER_FAULT, /* driver -> core: device gone / back */
	EV_SYNC_DONE,    /* sync thread -> core: outcome of a remote op */
	EV_SYNC_STATE,   /* sync thread -> core: online/offline, last error */
	EV_SYNC_JOB,     /* core -> sync thread: settle one outbox row */
	EV_SYNC_KICK,    /* core -> sync thread: new work, look at the outbox */
	EV_HUB_JOB,      /* core -> hub thread: claim a code (core/hubmsg.h) */
	EV_HUB_DONE,     /* hub thread -> core: the claim's verdict */
	EV_STOP,         /* anyone -> a thread: finish and exit */
	EV_QUIT          /* ui -> core: leave the program */
};

/* How a scan entered quan. */
enum scan_source {
	SCAN_SRC_STDIN = 0,
	SCAN_SRC_KEYBOARD, /* digits + Enter typed at the scan field */
	SCAN_SRC_EVDEV,    /* keyboard-wedge scanner read from evdev */
	SCAN_SRC_SERIAL,
	SCAN_SRC_CAMERA,
	SCAN_SRC_IMAGE,
	SCAN_SRC_MANUAL    /* typed by hand (marked as such in the journal) */
};

struct ev_scan {
	enum scan_source source;
	char source_name[64];     /* the driver spec, e.g. "serial:/dev/ttyACM0" */
	char symbology[16];       /* "QR-Code", "CODE-128", "EAN-13", "" unknown */
	uint8_t raw[EV_CODE_MAX]; /* bytes as received (prefix/suffix stripped) */
	size_t raw_len;
	char text[EV_CODE_MAX];   /* decoded, trusted UTF-8 text, NUL-terminated;
	                             "" when the bytes are not clean text */
	uint64_t t_mono_us;       /* monotonic time of the scan */
	uint32_t ikt_max_ms;      /* keyboard sources: largest inter-key gap */
	/* drivers/scan.h fills these too (diagnostics, scan --diag): */
	char aim[4];              /* AIM id "]Q1", "]C0"... or "" */
	char encoding[12];        /* "ascii", "utf-8", "gb18030", "binary" */
	uint32_t flags;           /* SCAN_F_* in drivers/scan.h */
	uint32_t dur_ms;          /* first to last key/byte of the scan */
	uint16_t ikt_n;           /* inter-key gaps recorded in ikt_ms */
	uint16_t ikt_ms[48];      /* first gaps in ms (capped at 65535) */
};

struct ev_key {
	int cmd;                  /* UI command, defined by the UI layer */
	char text[EV_TEXT_MAX];   /* argument (amount, PIN, manual code...) */
};

struct ev_driver_fault {
	char source_name[64];
	int up;                   /* 1 = device is back, 0 = gone */
	char what[EV_TEXT_MAX];
};

struct ev {
	enum ev_type type;
	uint64_t t_mono_us;       /* stamped by the producer */
	union {
		struct ev_scan scan;
		struct ev_key key;
		struct ev_driver_fault fault;
		uint8_t opaque[1024]; /* sync jobs/results: see net/sync.h */
	} u;
};

#endif
