/*
 * cli_print.h — the [printer] for the commands: a port on the configured
 * device (core/receipt.h, drivers/printer.h) and a bounded wait for one
 * job, for commands that print after their work is done.
 */
#ifndef QUAN_CLI_PRINT_H
#define QUAN_CLI_PRINT_H

#include "core/receipt.h"

struct cli;

/* A port on device (NULL: [printer] device); NULL when none is set, or
 * when it is wrong (said on stderr as `quan WHAT: ...`). Free with
 * printer_port_free. */
struct receipt_port *cli_printer_port(struct cli *c, const char *what,
    const char *device);
/* Step the job out on p until it ends (its own deadline bounds it);
 * RECEIPT_JOB_PRINTED or RECEIPT_JOB_FAILED. */
enum receipt_job cli_print_wait(struct receipt_port *p);

#endif
