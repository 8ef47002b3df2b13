import type { MetadataRoute } from "next";

// The web app manifest (issue 7): what makes Hearth installable from a phone's
// browser. Icons are rendered once by scripts/render-icons.ts and committed.
export default function manifest(): MetadataRoute.Manifest {
  return {
    id: "/",
    name: "Hearth",
    short_name: "Hearth",
    description: "Live readings and switches from around the home",
    start_url: "/",
    scope: "/",
    display: "standalone",
    orientation: "any",
    background_color: "#13110f",
    theme_color: "#b4410f",
    icons: [
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
      { src: "/icons/maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
    ],
    shortcuts: [{ name: "Wall display", short_name: "Kiosk", url: "/kiosk" }],
  };
}
