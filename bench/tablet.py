"""Bytes a tablet transfers to show the ballot: /card/<secret> (login + check-in),
the /tablet page, every asset it references (CSS, JS, images, fonts named in CSS)
and the JSON the page's script loads (live snapshot, the open ballot)."""
import re
from urllib.parse import urljoin

import httpx

ASSET = re.compile(r"""(?:href|src)=["']([^"'#]+)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)""")


def _size(response: httpx.Response) -> int:
    head = sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 20
    return head + len(response.content)


def tablet_transfer(base: str, card: str, mid: str, ballot_id: str, address: str = "127.250.0.1") -> dict:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=base, transport=transport, timeout=60, follow_redirects=False) as client:
        parts = []
        response = client.get(f"/card/{card}")
        parts.append(("/card/…", response))
        location = response.headers.get("location", "/tablet")
        page = client.get(location)
        parts.append((location, page))
        if page.status_code != 200:
            return {"error": f"/tablet answered {page.status_code}"}
        seen = set()
        queue = [urljoin(base + "/tablet", link) for link in ASSET.findall(page.text)]
        while queue:
            url = queue.pop(0)
            if url in seen or not url.startswith(base) or "/card/" in url or "/logout" in url:
                continue
            if not re.search(r"\.(css|js|png|svg|woff2?|otf|ttf|ico|webp|jpg)(\?|$)", url):
                continue  # links to other pages are not loaded by the page itself
            seen.add(url)
            asset = client.get(url)
            parts.append((url[len(base):], asset))
            if url.endswith(".css"):
                queue += [urljoin(url, ref) for ref in CSS_URL.findall(asset.text) if not ref.startswith("data:")]
        for path in (f"/api/v1/meetings/{mid}/live", f"/api/v1/ballots/{ballot_id}"):
            parts.append((path, client.get(path)))
        files = [{"path": path, "status": r.status_code, "bytes": _size(r)} for path, r in parts]
        return {"total_bytes": sum(f["bytes"] for f in files), "files": files}
