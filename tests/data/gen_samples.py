#!/usr/bin/env python3
"""Writes samples/contacts.csv: a realistic contact list whose addresses use
reserved .test/.example domains (plus well-known provider names for the
free-mail, alias and typo cases) and cover every case mailvet handles; and
the demo network that serves it (`mailvet --demo`): assets/demo.zone for
the fake DNS server and assets/demo.smtp for the fake SMTP server.
Deterministic: the same files every run.
Usage: tests/data/gen_samples.py   (run from the repository root)"""
import csv, io, random, sys

rnd = random.Random(20261128)
first = ["Jane", "John", "Maria", "Ahmed", "Li", "Sofia", "Lucas", "Emma", "Noah", "Olivia",
         "Liam", "Ava", "Mateo", "Chloe", "Yuki", "Ivan", "Fatima", "Pierre", "Anna", "Tom",
         "Grace", "Omar", "Elena", "Kwame", "Priya", "Diego", "Hannah", "Sven", "Aiko", "Rosa"]
last = ["Doe", "Smith", "Garcia", "Khan", "Wei", "Rossi", "Silva", "Martin", "Brown", "Jones",
        "Müller", "Dubois", "Kowalski", "Tanaka", "Ivanova", "Okafor", "Patel", "Lopez", "Berg", "Nakamura"]
companies = ["Northwind Traders", "Contoso Ltd", "Fabrikam, Inc.", "Globex Corporation",
             "Umbrella Corp", "Hooli", "Pied Piper", "Initech", "Wayne Enterprises", "Stark Industries"]
notes = ["", "", "", "Met at the expo, wants a demo", "VIP, call before \"renewal\"",
         "Prefers email; no calls\nafter 6pm", "Unsubscribed 2024, re-opted in", "Lead, score 42",
         "Left company?", "Asked about pricing, enterprise tier", "Bounced once, check"]

# domain -> scenario, see tests/fakes/demo.conf
good = ["northwind.test", "contoso.test", "fabrikam.test", "stark.test", "wayne.test"]
rows = []

def person():
    f, l = rnd.choice(first), rnd.choice(last)
    return f, l

def local(f, l):
    l = l.replace("ü", "u")
    style = rnd.randrange(4)
    return [f"{f}.{l}", f"{f[0]}{l}", f"{f}{l[0]}", f"{f}_{l}"][style].lower()

def add(email, f=None, l=None, company=None, note=None):
    if f is None:
        f, l = person()
    if company is None:
        dom = email.rsplit("@", 1)[-1].strip().lower()
        company = next((c for c in companies if c.split()[0].lower().rstrip(",") == dom.split(".")[0]),
                       rnd.choice(companies) if dom.endswith(".test") else "")
    rows.append([f, l, email, company,
                 f"+1 555 {rnd.randrange(100,999)} {rnd.randrange(1000,9999)}",
                 f"2025-{rnd.randrange(1,13):02d}-{rnd.randrange(1,29):02d}",
                 note if note is not None else rnd.choice(notes)])

# Deliverable mailboxes at ordinary domains (the demo SMTP knows these users)
for i in range(120):
    f, l = person()
    add(f"{local(f, l)}@{rnd.choice(good)}", f, l)
# Unknown users (user_unknown) and an Office-365 style 5.4.1 reject
for lp in ["no.such.user", "former.employee", "typo.nobody", "ghost", "left.in.2023"]:
    add(f"{lp}@northwind.test")
add("not.in.directory@contoso.test")
# Mailbox full
add("full.box@fabrikam.test")
add("over.quota@fabrikam.test")
# Catch-all domain
for i in range(12):
    f, l = person()
    add(f"{local(f, l)}@globex.test", f, l, "Globex Corporation")
# Greylisting domain
for i in range(8):
    f, l = person()
    add(f"{local(f, l)}@umbrella.test", f, l, "Umbrella Corp")
# Policy block of the sender (sender-side, never an invalid address)
for i in range(6):
    f, l = person()
    add(f"{local(f, l)}@hooli.test", f, l, "Hooli")
# Null MX, slow banner, implicit MX, no such domain
add("founder@piedpiper.test", "Richard", "Hendricks", "Pied Piper")
add("gilfoyle@piedpiper.test", "Bertram", "Gilfoyle", "Pied Piper")
for i in range(4):
    f, l = person()
    add(f"{local(f, l)}@initech.test", f, l, "Initech")
add("bruce@wayne.test", "Bruce", "Wayne", "Wayne Enterprises")
add("someone@no-such-domain.test")
add("lost@nxdomain-example.test")
# Role accounts
for r in ["info", "sales", "support", "admin", "noreply", "postmaster", "billing"]:
    add(f"{r}@{rnd.choice(good)}", "", "", None, "shared inbox")
# Free-mail providers, aliases of one mailbox
add("jane.doe@gmail.com", "Jane", "Doe")
add("janedoe@gmail.com", "Jane", "Doe", None, "same person, other signup")
add("jane.doe+newsletter@gmail.com", "Jane", "Doe")
add("Jane.Doe@googlemail.com", "Jane", "Doe")
add("mike.ross@yahoo.com"); add("lena.k@hotmail.com"); add("p.kim@outlook.com")
add("marco.b@libero.it"); add("kim.j@hanmail.net"); add("joao@uol.com.br")
add("hans@gmx.com"); add("sam@proton.me"); add("tess@ymail.com"); add("max@mail.com")
# Typos of provider domains and TLDs
for a in ["ana.perez@gmial.com", "lee@hotmial.com", "bob.r@yaho.com", "kate@outlok.com",
          "raj@gmail.con", "sue@yahoo.cmo", "tim@gmailcom", "ola@hotmail.comm",
          "nina@gmail.cm", "dev@outlook.ogr", "ben@northwnd.test", "amy@contosso.test"]:
    add(a)
# Disposable domains
for a in ["temp1@mailinator.com", "throwaway@guerrillamail.com", "x7@10minutemail.com",
          "burner@yopmail.com"]:
    add(a)
# Duplicates: case and white space variants of earlier rows
for i in range(10):
    src = rows[rnd.randrange(0, 120)]
    e = src[2]
    v = rnd.randrange(3)
    e = e.upper() if v == 0 else (f"  {e} " if v == 1 else e[0].upper() + e[1:])
    add(e, src[0], src[1], src[3], "duplicate entry")
add("\u00a0" + rows[3][2] + "\u200b", rows[3][0], rows[3][1], rows[3][3], "pasted from a web page")
# Wrapped forms from exports
add("mailto:pepper@stark.test", "Pepper", "Potts", "Stark Industries")
add("Happy Hogan <happy@stark.test>", "Happy", "Hogan", "Stark Industries")
add("<jarvis@stark.test>", "", "", "Stark Industries")
add("'vision@stark.test'", "", "", "Stark Industries")
# IDN and UTF-8
add("info@bücher.test", "", "", "Bücher GmbH")
add("jürgen@bücher.test", "Jürgen", "Weiß", "Bücher GmbH")
add("andre@café.example", "André", "Roux")
add("\u0438\u0432\u0430\u043d@\u043f\u0440\u0438\u043c\u0435\u0440.test", "Иван", "Петров")
# Quoted local part (flagged, still verifiable)
add("\"john smith\"@northwind.test", "John", "Smith")
# Syntax errors
for a in ["jane..doe@northwind.test", "jane@northwind", "@contoso.test", "bob@-bad-.test",
          "ip@[192.0.2.1]", "trailing.dot.@fabrikam.test", "sp ace@contoso.test",
          "a@b@c.test", "toolong" + "x" * 60 + "@fabrikam.test", "user@123.456"]:
    add(a)
# Reserved example domains (not served by any resolver)
add("someone@example.com"); add("user@test.invalid"); add("me@localhost")
# Junk
for a in ["", "n/a", "N/A", "none", "-", "test@test.com", "noemail@northwind.test",
          "jane at northwind dot test", "unknown", "?", "asdf",
          "alice@northwind.test; bob@contoso.test", "carol@fabrikam.test, dave@stark.test"]:
    add(a)
# Pad with more deliverable-looking rows to ~300
while len(rows) < 300:
    f, l = person()
    add(f"{local(f, l)}{rnd.randrange(1, 99)}@{rnd.choice(good)}", f, l)

order = list(range(len(rows)))
rnd.shuffle(order)
out = io.StringIO()
w = csv.writer(out, lineterminator="\n")
w.writerow(["id", "first_name", "last_name", "email", "company", "phone", "signup_date", "notes"])
for n, i in enumerate(order, 1):
    w.writerow([1000 + n] + rows[i])
with open("samples/contacts.csv", "w", newline="") as f:
    f.write(out.getvalue())

# ---- the demo network ------------------------------------------------------------
# Which mailboxes exist: every well-formed address at a domain served by the
# corporate or free-mail servers, except the ones meant to bounce.
import re
corporate = ["northwind.test", "contoso.test", "fabrikam.test", "wayne.test", "stark.test",
             "xn--bcher-kva.test", "xn--e1afmkfd.test", "xn--caf-dma.example",
             "umbrella.test", "initech.test"]
freemail = ["gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "libero.it",
            "hanmail.net", "uol.com.br", "gmx.com", "proton.me", "ymail.com", "mail.com"]
bouncing = {"no.such.user@northwind.test", "former.employee@northwind.test",
            "typo.nobody@northwind.test", "ghost@northwind.test", "left.in.2023@northwind.test",
            "not.in.directory@contoso.test", "full.box@fabrikam.test", "over.quota@fabrikam.test",
            "noemail@northwind.test"}
idn = {"bücher.test": "xn--bcher-kva.test", "пример.test": "xn--e1afmkfd.test",
       "café.example": "xn--caf-dma.example"}
users = set()
for r in rows:
    cell = r[2].strip().strip("\u00a0\u200b")
    cell = cell[7:] if cell.startswith("mailto:") else cell
    m = re.search(r"<([^<>]+)>", cell)
    cell = m.group(1) if m else cell.strip("'\"")
    for cand in re.split(r"[;,]\s*", cell):
        if not re.fullmatch(r"[^\s@<>'\"]+@[^\s@<>'\"]+", cand):
            continue
        local, _, dom = cand.rpartition("@")
        dom = idn.get(dom.lower(), dom.lower())
        if (dom in corporate or dom in freemail) and ".." not in local and local:
            a = f"{local}@{dom}"
            if a.lower() not in bouncing:
                users.add(a.lower())
zone = ["# The demo network's DNS (generated by tests/data/gen_samples.py).",
        "# Served by fake_dns for `mailvet --demo`: loopback addresses only."]
for d in ["northwind.test", "contoso.test", "fabrikam.test", "xn--bcher-kva.test",
          "xn--e1afmkfd.test", "xn--caf-dma.example"]:
    zone += [f"{d} MX 10 mx.{d}", f"mx.{d} A 127.0.0.10"]
zone += ["wayne.test A 127.0.0.10            # no MX: the implicit MX (RFC 5321 5.1)",
         "stark.test MX 10 mx1.stark.test    # refuses connections: MX 20 answers",
         "mx1.stark.test A 127.0.0.15", "stark.test MX 20 mx2.stark.test", "mx2.stark.test A 127.0.0.10",
         "globex.test MX 10 mx.globex.test   # catch-all", "mx.globex.test A 127.0.0.11",
         "umbrella.test MX 10 mx.umbrella.test   # greylisting", "mx.umbrella.test A 127.0.0.12",
         "hooli.test MX 10 mx.hooli.test     # blocks the sender (blocklist)", "mx.hooli.test A 127.0.0.13",
         "initech.test MX 10 mx.initech.test # slow greeting", "mx.initech.test A 127.0.0.14",
         "piedpiper.test MX 0 .              # null MX (RFC 7505)", "piedpiper.test A 127.0.0.19",
         "sender.test MX 10 mx.northwind.test", 'sender.test TXT "v=spf1 -all"']
for d in freemail:
    zone += [f"{d} MX 10 mx.freemail.test"]
zone += ["mx.freemail.test A 127.0.0.16"]
for d in ["mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com"]:
    zone += [f"{d} MX 10 mx.globex.test"]
with open("assets/demo.zone", "w") as f:
    f.write("\n".join(zone) + "\n")

corp = sorted(u for u in users if u.rpartition("@")[2] in corporate)
free = sorted(u for u in users if u.rpartition("@")[2] in freemail)
smtp = ["# The demo network's SMTP servers (generated by tests/data/gen_samples.py).",
        "# Served by fake_smtp for `mailvet --demo`; every section shares one port.",
        "", "[listen 127.0.0.10]", "hostname mx.corp.test", "starttls ok",
        "error_limit 10 20 1000",
        "rcpt full.box@fabrikam.test 452 4.2.2 <full.box@fabrikam.test>: Recipient address rejected: Mailbox full",
        "rcpt over.quota@fabrikam.test 552 5.2.2 <over.quota@fabrikam.test>: Mailbox full, quota exceeded",
        "rcpt *@contoso.test 550 5.4.1 Recipient address rejected: Access denied. AS(201806281)"]
smtp += [f"rcpt {u} 250 2.1.5 Ok" for u in corp]
smtp += ["rcpt * 550 5.1.1 <unknown>: Recipient address rejected: User unknown in virtual mailbox table",
         "", "[listen 127.0.0.11]", "hostname mx.globex.test", "catchall",
         "", "[listen 127.0.0.12]", "hostname mx.umbrella.test", "greylist 4"]
smtp += [f"rcpt {u} 250 2.1.5 Ok" for u in sorted(users) if u.endswith("@umbrella.test")]
smtp += ["rcpt * 550 5.1.1 <unknown>: Recipient address rejected: User unknown in local recipient table",
         "", "[listen 127.0.0.13]", "hostname mx.hooli.test",
         "rcpt * 554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1",
         "", "[listen 127.0.0.14]", "hostname mx.initech.test", "banner_delay 3000"]
smtp += [f"rcpt {u} 250 2.1.5 Ok" for u in sorted(users) if u.endswith("@initech.test")]
smtp += ["rcpt * 550 5.1.1 <unknown>: Recipient address rejected: User unknown in local recipient table",
         "", "[listen 127.0.0.16]", "hostname mx.freemail.test", "starttls ok"]
smtp += [f"rcpt {u} 250 2.1.5 OK" for u in free]
smtp += ["rcpt * 550-5.1.1 The email account that you tried to reach does not exist. Please try\\n550 5.1.1 double-checking the recipient's email address for typos."]
with open("assets/demo.smtp", "w") as f:
    f.write("\n".join(smtp) + "\n")
