// "Acknowledged means stored" (issue 12) without a promise per message. A QoS 1/2 PUBLISH
// from a client has its PUBACK / PUBREC wait for the broker store's next group commit
// (broker/mqtt/ack-gate.ts). On SQLite that same write group holds the reading's history
// row (broker/hub-stores.ts), so a service whose durable effect is a change in it needs no
// promise of its own: it joins the group and, should the database refuse its part, says
// so in the message's slot, which the acknowledgement reads once the group has committed
// (and so fails alone, review-5 #2). A promise per QoS 1 reading (three, with the ones
// that waited on it) was a large part of the broker thread's garbage.

/** Set (before the group's commit resolves) when a durable effect of the message failed. */
export type AckSlot = { failed: Error | null };
