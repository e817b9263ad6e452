"""The event indexer: the chain's record of holders and money read into the database.

`stream.chain_index` reads the platform contracts' events into `ChainEvent`, `TokenHolding` and the
cursor; `selectors` answers holdings, history and freshness for pages and APIs; `reconcile` checks the
holdings and the HKD leg against the books. The token contracts' balances are the register of
holders; these tables are an index of them.
"""
