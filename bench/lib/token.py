#!/usr/bin/env python3
"""Signs in to a Vigil server through its sign-in form (as a browser would) and prints a new API token.

Usage: token.py URL USERNAME PASSWORD [ROLE=viewer] [NAME=bench]
The benchmark scripts create the user beforehand with `vigil admin create --password-stdin`.
"""
import html, http.cookiejar, json, re, sys, urllib.parse, urllib.request

url, username, password = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
role = sys.argv[4] if len(sys.argv) > 4 else "viewer"
name = sys.argv[5] if len(sys.argv) > 5 else "bench"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)
page = opener.open(f"{url}/signin").read().decode()
fields = {html.unescape(m.group(1)): html.unescape(m.group(2))
          for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"\s*/?>', page)}
fields.update({"Input.Username": username, "Input.Password": password, "Input.Code": ""})
try:
    opener.open(f"{url}/signin", urllib.parse.urlencode(fields).encode())
    sys.exit("sign-in did not redirect: wrong username or password?")
except urllib.error.HTTPError as e:
    if e.code != 302:
        sys.exit(f"sign-in answered {e.code}")
request = urllib.request.Request(f"{url}/api/tokens", json.dumps({"name": name, "role": role}).encode(),
                                 {"Content-Type": "application/json"})
print(json.load(opener.open(request))["token"])
