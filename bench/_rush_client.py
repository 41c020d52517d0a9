"""One client process of the deadline rush: its applicants, step by step, in threads."""

import math
import multiprocessing
import re
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests

from bench._common import tree_cpu_seconds

BARE_REQUESTS = 5  # per applicant, so the bare run lasts about as long as a step
PHASES = (
    "bare before",
    "login",
    "start",
    "profile",
    "biography",
    "eligibility",
    "work",
    "upload",
    "consents",
    "review",
    "submit",
    "status",
    "bare after",
)
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def small_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV of a 440 Hz tone."""
    samples = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    header = b"".join(
        [
            b"RIFF",
            struct.pack("<I", 36 + len(samples)),
            b"WAVEfmt ",
            struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16),
            b"data",
            struct.pack("<I", len(samples)),
        ]
    )
    return header + samples


class Refused(Exception):
    """The server answered something a browser would not have been shown."""


class Applicant:
    """A browser without JavaScript: one session, the same form fields as the pages."""

    def __init__(self, base: str, bare_base: str, email: str, password: str, year: int):
        self.base, self.bare_base = base, bare_base
        self.email, self.password, self.year = email, password, year
        self.session = requests.Session()
        self.token = ""
        self.application_id = self.work_id = 0
        self.records: list[tuple[str, float, str]] = []
        self.phase = ""

    def call(self, method: str, url: str, *, status: int, goes_to: str = "", **kwargs):
        """One timed request; a wrong status or redirect target is recorded as an error."""
        began = time.perf_counter()
        error = ""
        answer = None
        try:
            answer = self.session.request(method, url, allow_redirects=False, timeout=120, **kwargs)
            if answer.status_code != status:
                error = f"{method} {urlsplit(url).path}: {answer.status_code}, not {status}"
            elif goes_to and not re.fullmatch(goes_to, urlsplit(answer.headers["Location"]).path):
                error = f"{method} {urlsplit(url).path}: to {answer.headers['Location']}"
        except requests.RequestException as exc:
            error = f"{method} {urlsplit(url).path}: {type(exc).__name__}"
        self.records.append((self.phase, time.perf_counter() - began, error))
        if error:
            raise Refused(error)
        return answer

    def post(self, path: str, goes_to: str, data=None, **kwargs):
        fields = {"csrf_token": self.token, **(data or {})}
        return self.call(
            "POST", self.base + path, status=302, goes_to=goes_to, data=fields, **kwargs
        )

    def app_path(self, rest: str = "") -> str:
        return f"/applications/{self.application_id}{rest}"

    # The steps, one per phase.
    def bare(self):
        for _ in range(BARE_REQUESTS):
            self.call("GET", self.bare_base + "/bench-bare", status=200)

    def login(self):
        page = self.call("GET", self.base + "/login", status=200)
        self.token = TOKEN.search(page.text).group(1)
        self.post("/login", "/", {"email": self.email, "password": self.password})

    def start(self):
        # The session was renewed at login; the status page carries the new token.
        page = self.call("GET", self.base + "/apply/", status=200)
        self.token = TOKEN.search(page.text).group(1)
        answer = self.post("/apply/start", r"/applications/\d+/profile")
        self.application_id = int(answer.headers["Location"].split("/")[-2])

    def profile(self):
        fields = {"artist_name": f"Ensemble {self.email[:9]}", "contact_email": self.email}
        self.post(self.app_path("/profile"), self.app_path("/biography"), fields)

    def biography(self):
        text = "Composer and sound artist between Metz, Luxembourg, Saarbrücken and Trier. " * 8
        self.post(self.app_path("/biography"), self.app_path("/eligibility"), {"biography": text})

    def eligibility(self):
        fields = {
            "kind": "lives",
            "place": "Hameau du Banc d'Essai",
            "place_id": "",
            "manual": "y",
            "explanation": "A hamlet 20 km south of Metz, not in the list.",
        }
        self.post(self.app_path("/eligibility"), self.app_path("/eligibility"), fields)

    def work(self):
        fields = {
            "title": "Sillons",
            "year_composed": str(self.year - 1),
            "duration": "7:30",
            "description": "For tape and voice.",
        }
        self.post(self.app_path("/works/new"), self.app_path("/works"), fields)

    def upload(self):
        page = self.call("GET", self.base + self.app_path("/works"), status=200)
        self.work_id = int(re.search(self.app_path(r"/works/(\d+)"), page.text).group(1))
        work = self.app_path(f"/works/{self.work_id}")
        files = {"file": ("take.wav", WAV, "audio/wav")}
        self.post(work + "/files", work, files=files)

    def consents(self):
        fields = {"rules": "y", "privacy": "y"}
        self.post(self.app_path("/consents"), self.app_path("/review"), fields)

    def review(self):
        self.call("GET", self.base + self.app_path("/review"), status=200)

    def submit(self):
        self.post(self.app_path("/submit"), "/apply/")

    def status(self):
        page = self.call("GET", self.base + "/apply/", status=200)
        if f"QP-{self.year}-" not in page.text:
            self.records[-1] = (self.phase, self.records[-1][1], "status page without reference")


WAV = small_wav()


def run_client(base, bare_base, emails, password, year, threads, barrier, *, results) -> None:
    """Every phase in turn, all applicants of this process in ``threads`` threads.

    An applicant whose earlier step failed skips the later ones (the error is counted once).
    """
    applicants = [Applicant(base, bare_base, email, password, year) for email in emails]
    failed: set[int] = set()
    spans = []

    def step(index: int, name: str) -> None:
        applicant = applicants[index]
        if index in failed and not name.startswith("bare"):
            return
        applicant.phase = name
        # Fresh connections for each step: after waiting at the barrier, a kept-alive one may
        # be closing on the server's side (gunicorn_conf keeps idle ones for 5 s), and a browser
        # coming back after a while opens new ones too.
        applicant.session.close()
        try:
            getattr(applicant, name.split()[0])()
        except Refused:
            failed.add(index)
        except (AttributeError, ValueError):  # a page without the token, id or link expected
            applicant.records.append((name, 0.0, f"{name}: page without the expected form"))
            failed.add(index)

    with ThreadPoolExecutor(threads) as pool:
        for name in PHASES:
            barrier.wait()
            began = time.perf_counter()
            list(pool.map(step, range(len(applicants)), [name] * len(applicants)))
            spans.append((name, began, time.perf_counter()))
    barrier.wait()
    results.put(([r for a in applicants for r in a.records], spans))


def run_load(options, *, base, bare_base, servers, emails, password, year) -> dict:
    """The client processes, phase by phase; per phase its requests, errors, rate and CPU.

    This process waits at the same barrier as the clients, so it reads the servers' CPU time
    between two phases: the server's cost per request, next to the bare endpoint's.
    """
    context = multiprocessing.get_context("spawn")
    clients = max(1, min(options.clients, len(emails)))
    barrier = context.Barrier(clients + 1)
    results = context.Queue()
    threads = max(1, options.concurrency // clients)
    processes = [
        context.Process(
            target=run_client,
            args=(base, bare_base, emails[index::clients], password, year, threads, barrier),
            kwargs={"results": results},
        )
        for index in range(clients)
    ]
    for process in processes:
        process.start()
    cpu = []
    for _ in range(len(PHASES) + 1):
        barrier.wait(timeout=options.timeout)
        cpu.append({name: tree_cpu_seconds(pid) for name, pid in servers.items()})
    collected = [results.get(timeout=options.timeout) for _ in processes]
    for process in processes:
        process.join()
    phases = {}
    for number, name in enumerate(PHASES):
        records = [r for records, _ in collected for r in records if r[0] == name]
        spans = [s for _, spans in collected for s in spans if s[0] == name]
        wall = max(end for _, _, end in spans) - min(began for _, began, _ in spans)
        server = "bare" if name.startswith("bare") else "app"
        used = cpu[number + 1][server] - cpu[number][server]
        phases[name] = {
            "requests": len(records),
            "errors": [r[2] for r in records if r[2]],
            "latencies": [r[1] for r in records],
            "rate": len(records) / wall if wall > 0 else 0.0,
            "cpu_ms": 1000 * used / len(records) if records else 0.0,
        }
    return phases
