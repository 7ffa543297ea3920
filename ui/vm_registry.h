/* vm_registry: what the Registry screen shows, formatted without a
 * terminal: version lines, a version's details and audit history, the
 * differences between two versions, and the gate of the current model. */
#ifndef FT_VM_REGISTRY_H
#define FT_VM_REGISTRY_H

#include <stddef.h>

#include "metrics.h"
#include "registry.h"

/* "Pending", "Approved", "Rejected": fits narrow lists. */
const char *vm_status_short(enum registry_status s);
/* "2026-11-26T23:15:02Z" -> "2026-11-26 23:15"; other text is copied. */
void vm_created_short(const char *iso, char *buf, size_t size);

/* One list line of a version, after its "group/N" column:
 * "Approved  2026-11-26 23:15  0.9855  0.5732  3f2a9c1d" (status, created,
 * test accuracy, test recall, data sha256 prefix), or "DAMAGED: why". */
void vm_version_line(const struct registry_version *v, char *buf, size_t size);

/* Lines describing a version: identity, data lineage, test metrics, the
 * tree, the gate at registration, then its audit history, newest last.
 * Caller frees with vm_lines_free (vm_tree.h). */
char **vm_registry_details(const struct registry_details *d, size_t *n);

/* Lines of the differences between two versions, one per item:
 * "metric accuracy: 0.9855 -> 0.9790 (-0.0065)"; a single line saying so
 * when there are none. Caller frees with vm_lines_free. */
char **vm_registry_diff(const struct registry_diff_item *items, size_t nitems,
			const char *a_name, const char *b_name, size_t *n);

/* A gate condition as people write it: "accuracy >= 0.85". */
void vm_gate_condition(const struct gate_check *c, char *buf, size_t size);

#endif
