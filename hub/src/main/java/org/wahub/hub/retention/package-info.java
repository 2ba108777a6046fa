/** What the hub keeps and for how long: archiving dead letters and pruning history, as pure rules. */
package org.wahub.hub.retention;
