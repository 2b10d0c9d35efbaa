// Which registered accounts a care row stands for: one account, a brand's, or a brand's in a country.

/** The registry's accounts behind a row of the care report grouped by ``group``. */
export function accountsOf(row, group, accounts) {
  if (group === "account") return [{ platform: row.platform, handle: row.handle }];
  return (accounts || []).filter(
    (account) => account.brand === row.brand && (group !== "country" || (account.country || null) === (row.country || null)),
  );
}
