/* statefiles: reading back what `serve` wrote into the state directory, for the offline
 * subcommands (explain, webhook-config). */
#ifndef GH_CMD_STATEFILES_H
#define GH_CMD_STATEFILES_H

/* The value of `export KEY='...'` in DIR/env (malloc'd), or NULL. */
char *statefiles_env(const char *state_dir, const char *key);
/* A whole file (malloc'd, NUL-terminated), or NULL. At most 1 MiB. */
char *statefiles_read(const char *path);

#endif
