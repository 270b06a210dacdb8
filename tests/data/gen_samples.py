#!/usr/bin/env python3
"""Writes samples/contacts.csv: a realistic contact list whose addresses use
reserved .test/.example domains (plus well-known provider names for the
free-mail, alias and typo cases) and cover every case mailvet handles.
Deterministic: the same file every run. Usage: gen_samples.py > contacts.csv
The demo scenarios (which .test domain behaves how) are listed in
tests/fakes/demo.conf."""
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
sys.stdout.write(out.getvalue())
