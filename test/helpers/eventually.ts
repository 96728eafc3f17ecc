/** Waits (bounded) until `check` holds; false if it never did. */
export async function eventually(check: () => boolean, deadlineMs = 15_000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
