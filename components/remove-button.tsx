/** A one-button form that removes one named thing through a server action. */
export function RemoveButton({ action, field, value }: { action: (form: FormData) => Promise<void>; field: string; value: string }) {
  return (
    <form action={action}>
      <input type="hidden" name={field} value={value} />
      <button type="submit" aria-label={`Remove ${value}`} className="rounded-md border border-danger px-2 py-1 text-sm text-danger">
        Remove
      </button>
    </form>
  );
}
