import { createMemoryStore } from "./memory-store";
import { brokerStoreContract } from "./store-contract";

// A memory store "restarts" by handing what it held to a new one: what a test of the
// broker does to restart it without a file.
brokerStoreContract("memory", {
  open: () => createMemoryStore(),
  async reopen(store) {
    const state = await store.load();
    await store.close();
    return createMemoryStore(state);
  },
});
