/* manifests: Kubernetes objects from files, for the offline commands and `serve --rbac`:
 * a file or every *.yaml, *.yml and *.json file of a folder (sorted, not recursive), each
 * holding one or more YAML documents or JSON objects, `kubectl get -o json` List dumps
 * included. Errors name the file and the position. */
#ifndef GH_ENGINE_MANIFESTS_H
#define GH_ENGINE_MANIFESTS_H

#include <jansson.h>

#include "base/err.h"

#define MANIFESTS_MAX_FILES 1000
#define MANIFESTS_MAX_FILE_BYTES ((size_t)16 << 20)

/* Appends every document of `path` to the JSON array `docs`. */
bool manifests_load(const char *path, json_t *docs, gh_err *err) GH_MUST_CHECK;

#endif
