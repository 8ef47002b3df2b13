// For the export tests: a stream's whole text, how many chunks it came in, the largest's bytes.

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number; largest: number }> {
  let text = "";
  let chunks = 0;
  let largest = 0;
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true }); // keep the BOM the export writes
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    text += decoder.decode(r.value, { stream: true });
    chunks++;
    largest = Math.max(largest, r.value.length);
  }
  return { text, chunks, largest };
}
