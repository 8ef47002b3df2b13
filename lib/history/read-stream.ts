// For the export tests: a stream's whole text and how many chunks it came in.

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  let text = "";
  let chunks = 0;
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true }); // keep the BOM the export writes
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    text += decoder.decode(r.value, { stream: true });
    chunks++;
  }
  return { text, chunks };
}
