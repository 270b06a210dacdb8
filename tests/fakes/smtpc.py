#!/usr/bin/env python3
"""smtpc — a tiny scripted SMTP client for the tests (stdlib only).

It never sends DATA unless a test writes DATA as a step (to check the fake
flags it). Loopback only: it refuses any other address.

Usage: smtpc.py [--timeout S] [--max BYTES] [--max-lines N] [--no-banner]
                [--time] HOST PORT [STEP...]

Reads the greeting (unless --no-banner), then runs the steps in order:
  TEXT          send TEXT + CRLF, read one reply
  STARTTLS      send it, read the reply; on 2xx do a TLS handshake (no
                certificate check) and print "TLS <version>" or "TLS-FAIL <why>"
  @send:TEXT    send TEXT raw (escapes \\r \\n \\t \\e \\xHH), read nothing
  @read         read one reply
  @pipe:A|B|C   send "A\\r\\nB\\r\\nC\\r\\n" in one write, read one reply each
  @sleep:SEC    sleep
  @close        close the socket now

Output: one line per reply, the lines of a multi-line reply joined with
" | "; bytes outside printable ASCII shown as \\xHH; a line over 200 chars
is cut: "first 60 chars...(N bytes)". With --time each reply line starts
with "[MSms] " (time from sending the step, or from connecting for the
greeting). The run stops at the first of:
  CLOSED        the server closed the connection
  TIMEOUT       no complete reply within --timeout seconds (default 3)
  TOOLONG N     a reply line over --max bytes (default 1 MiB); N bytes read
  TOOMANY N     a reply with more than --max-lines lines (default 1000)
  BAD <line>    a reply line that is not "DDD" followed by space, '-' or end
Exit status 0 whatever the server did; 2 on bad usage.
"""
import socket
import sys
import time

ssl = None     # imported on the first STARTTLS (start-up time matters)


def esc(b):
    out = []
    for c in b:
        if 0x20 <= c < 0x7F and c != 0x5C:
            out.append(chr(c))
        elif c == 0x5C:
            out.append("\\\\")
        else:
            out.append("\\x%02x" % c)
    s = "".join(out)
    return s


def unesc(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x":
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"r": b"\r", "n": b"\n", "t": b"\t", "e": b"\x1b", "\\": b"\\"}[n]
            i += 2
            continue
        out += c.encode()
        i += 1
    return bytes(out)


class Stop(Exception):
    pass


class Client:
    def __init__(self, sock, opts):
        self.sock = sock
        self.buf = bytearray()
        self.scanned = 0
        self.opts = opts

    def readline(self, deadline):
        while True:
            i = self.buf.find(b"\n", self.scanned)
            if i >= 0:
                line = bytes(self.buf[:i + 1])
                del self.buf[:i + 1]
                self.scanned = 0
                return line
            self.scanned = len(self.buf)
            if len(self.buf) > self.opts["max"]:
                raise Stop("TOOLONG %d" % len(self.buf))
            left = deadline - time.monotonic()
            if left <= 0:
                raise Stop("TIMEOUT")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                raise Stop("TIMEOUT")
            except (ConnectionResetError, BrokenPipeError):
                raise Stop("CLOSED")
            except OSError as e:
                raise Stop("CLOSED %s" % (getattr(e, "reason", None) or e))
            if not chunk:
                if self.buf:
                    print("PARTIAL " + show(bytes(self.buf)))
                raise Stop("CLOSED")
            self.buf += chunk

    def reply(self, t0):
        deadline = time.monotonic() + self.opts["timeout"]
        lines = []
        while True:
            line = self.readline(deadline)
            body = line.rstrip(b"\r\n")
            ok = len(body) >= 3 and body[:3].isdigit() and (len(body) == 3 or body[3:4] in (b" ", b"-"))
            if not ok:
                if lines:
                    print(" | ".join(lines))
                raise Stop("BAD " + show(body))
            lines.append(show(body))
            if len(lines) > self.opts["max_lines"]:
                raise Stop("TOOMANY %d" % len(lines))
            if len(body) == 3 or body[3:4] == b" ":
                break
        text = " | ".join(lines)
        if self.opts["time"]:
            text = "[%dms] %s" % (int((time.monotonic() - t0) * 1000), text)
        print(text, flush=True)
        return lines

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            raise Stop("CLOSED")


def show(b):
    s = esc(b[:201])
    if len(b) > 200 or len(s) > 200:
        return "%s...(%d bytes)" % (esc(b[:60]), len(b))
    return s


def main(argv):
    opts = {"timeout": 3.0, "max": 1 << 20, "max_lines": 1000, "banner": True, "time": False}
    args = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--timeout":
            opts["timeout"] = float(argv[i + 1]); i += 2; continue
        if a == "--max":
            opts["max"] = int(argv[i + 1]); i += 2; continue
        if a == "--max-lines":
            opts["max_lines"] = int(argv[i + 1]); i += 2; continue
        if a == "--no-banner":
            opts["banner"] = False; i += 1; continue
        if a == "--time":
            opts["time"] = True; i += 1; continue
        args.append(a)
        i += 1
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, steps = args[0], int(args[1]), args[2:]
    if not (host.startswith("127.") or host == "::1"):
        print("smtpc: loopback addresses only", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    try:
        sock = socket.create_connection((host, port), timeout=opts["timeout"])
    except OSError as e:
        print("CONNECT-FAIL %s" % (e.strerror or e))
        return 0
    c = Client(sock, opts)
    try:
        if opts["banner"]:
            c.reply(t0)
        for st in steps:
            t0 = time.monotonic()
            if st.startswith("@send:"):
                c.send(unesc(st[6:]))
            elif st == "@read":
                c.reply(t0)
            elif st.startswith("@sleep:"):
                time.sleep(float(st[7:]))
            elif st == "@close":
                c.sock.close()
                return 0
            elif st.startswith("@pipe:"):
                cmds = st[6:].split("|")
                c.send(b"".join(x.encode() + b"\r\n" for x in cmds))
                for _ in cmds:
                    c.reply(t0)
            elif st.upper() == "STARTTLS":
                c.send(b"STARTTLS\r\n")
                lines = c.reply(t0)
                if lines and lines[-1].startswith("2"):
                    global ssl
                    import ssl
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                    c.sock.settimeout(opts["timeout"])
                    try:
                        c.sock = ctx.wrap_socket(c.sock, server_hostname=host)
                        print("TLS %s" % c.sock.version(), flush=True)
                    except OSError as e:
                        print("TLS-FAIL %s" % (getattr(e, "reason", None) or e), flush=True)
                        return 0
            else:
                c.send(st.encode() + b"\r\n")
                c.reply(t0)
    except Stop as e:
        print(str(e), flush=True)
    finally:
        try:
            c.sock.close()
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
