/*
 * blkif_peer: one end of a blkif shared ring, driven only by Xen's own ring.h / blkif.h macros, over a file that
 * another process (a pvio Java ring, or a second blkif_peer) maps too. pvio's interop tests run it against the Java
 * FrontRing/BackRing to show that both speak the same ring protocol, byte for byte.
 *
 *   blkif_peer front|back FILE COUNT [--init] [--doorbell] [--corrupt-every K] [--timeout-seconds S]
 *   blkif_peer layout
 *
 * FILE layout: page 0 (4 KiB) is the blkif_sring. With --doorbell the file is 8 KiB and page 1 holds two u32
 * doorbell counters, one per direction (offsets below; the Java side defines the same ones in
 * io.pvio.ring.testkit.Doorbells). Kicking the peer = atomically incrementing its counter, done only when
 * RING_PUSH_*_AND_CHECK_NOTIFY says so. A side that finds no work after RING_FINAL_CHECK_FOR_* waits until its own
 * counter moves; a notification wrongly suppressed by either side therefore deadlocks, and the watchdog fails it.
 * Without --doorbell both sides poll and the notifications are only counted.
 *
 * --init: create FILE (it must not exist yet) zero-filled, initialise the shared ring header (front:
 * XEN_FRONT_RING_INIT; back: SHARED_RING_INIT, standing in for a front end that has not started yet), and only then
 * publish it under its name (link of a private temporary file), so a peer that finds FILE always finds an initialised
 * ring. Without --init FILE must exist with the right length and hold a fresh ring, which is attached at index 0.
 *
 * Request content is derived from the request id (see derive()); the Java class
 * io.pvio.ring.blkif.BlkifConformancePattern computes the same values. Request i carries id ID_BASE + i.
 * The front sends COUNT requests, as many in flight as the ring holds, and checks every response (id issued and
 * outstanding, operation echoed, status OKAY, padding zero). The back copies each request once (RING_COPY_REQUEST),
 * checks it is the next id in sequence and matches the derivation, and answers OKAY echoing id and operation (ERROR
 * for a request that fails the checks); it serves exactly COUNT requests. --corrupt-every K makes the back end answer
 * every K-th request with an id that was never issued, to test the front end's checks.
 *
 * Both print one final line on stdout:
 *   blkif_peer ROLE: requests=R responses=P notifications=N waits=W errors=E
 * (notifications = times RING_PUSH_*_AND_CHECK_NOTIFY said notify, i.e. kicks sent with --doorbell; waits = times
 * this side found no work after the final check). Errors go to stderr; exit 0 only if every round trip was correct.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ring.h expects the barriers from the includer; GCC builtins give full, read and write fences. */
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/xen-compat.h>
#include <xen/io/ring.h>
#include <xen/io/blkif.h>

#define PAGE_BYTES 4096u
/* Doorbell page: must match io.pvio.ring.testkit.Doorbells. Separate cache lines, one counter per waiter. */
#define FRONT_DOORBELL_OFFSET (PAGE_BYTES)      /* the back end kicks the front end here */
#define BACK_DOORBELL_OFFSET (PAGE_BYTES + 64u) /* the front end kicks the back end here */
#define DOORBELL_FILE_BYTES (2u * PAGE_BYTES)

/* Request i carries id ID_BASE + i: the low word wraps after 4096 requests, so all 64 bits are exercised. */
#define ID_BASE UINT64_C(0x7076696FFFFFF000)
/* A corrupted response id: the top bit flipped, so it can never equal an id that was issued. */
#define CORRUPT_ID_MASK UINT64_C(0x8000000000000000)
#define SECTORS_PER_PAGE 8u
#define DEFAULT_TIMEOUT_SECONDS 60u

struct options
{
    int front;
    const char *file;
    unsigned long count;
    int init;
    int doorbell;
    unsigned long corrupt_every;
    unsigned int timeout_seconds;
};

struct stats
{
    unsigned long requests;
    unsigned long responses;
    unsigned long notifications;
    unsigned long waits;
    unsigned long errors;
};

struct doorbells
{
    uint32_t *own;  /* NULL when polling */
    uint32_t *peer;
};

/* ---- the content derivation shared with the Java test kit ---- */

static uint64_t mix64(uint64_t z)
{
    z += UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Fills every field of a well-formed READ or WRITE request for id; unused segments are zero. */
static void derive(uint64_t id, blkif_request_t *req)
{
    const uint64_t h = mix64(id);
    memset(req, 0, sizeof(*req));
    req->operation = (h & 1) ? BLKIF_OP_WRITE : BLKIF_OP_READ;
    req->nr_segments = (uint8_t)(1 + ((h >> 1) & 0xFF) % BLKIF_MAX_SEGMENTS_PER_REQUEST);
    req->handle = (blkif_vdev_t)((h >> 16) & 0xFFFF);
    req->id = id;
    req->sector_number = (h >> 24) & UINT64_C(0xFFFFFFFFFF);
    for (unsigned int k = 0; k < req->nr_segments; k++)
    {
        const uint64_t g = mix64(h + k + 1);
        const unsigned int first = (unsigned int)((g >> 20) & 7);
        req->seg[k].gref = (grant_ref_t)(8 + (g & 0xFFFFF));
        req->seg[k].first_sect = (uint8_t)first;
        req->seg[k].last_sect = (uint8_t)(first + ((g >> 23) & 0xFF) % (SECTORS_PER_PAGE - first));
    }
}

/* ---- process plumbing ---- */

static void on_alarm(int sig)
{
    static const char message[] = "blkif_peer: watchdog expired: peer dead or a notification was lost\n";
    (void)sig;
    /* async-signal-safe only */
    if (write(STDERR_FILENO, message, sizeof(message) - 1) < 0)
    {
        _exit(124);
    }
    _exit(124);
}

static void usage(void)
{
    fprintf(stderr,
        "usage: blkif_peer front|back FILE COUNT [--init] [--doorbell] [--corrupt-every K] [--timeout-seconds S]\n"
        "       blkif_peer layout\n");
    exit(2);
}

static unsigned long parse_positive(const char *what, const char *text)
{
    char *end = NULL;
    errno = 0;
    const unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value == 0 || text[0] == '-')
    {
        fprintf(stderr, "blkif_peer: %s must be a positive integer: %s\n", what, text);
        exit(2);
    }
    return value;
}

static void parse(int argc, char **argv, struct options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->timeout_seconds = DEFAULT_TIMEOUT_SECONDS;
    if (argc < 4)
    {
        usage();
    }
    if (strcmp(argv[1], "front") == 0)
    {
        opt->front = 1;
    }
    else if (strcmp(argv[1], "back") != 0)
    {
        usage();
    }
    opt->file = argv[2];
    opt->count = parse_positive("COUNT", argv[3]);
    for (int i = 4; i < argc; i++)
    {
        if (strcmp(argv[i], "--init") == 0)
        {
            opt->init = 1;
        }
        else if (strcmp(argv[i], "--doorbell") == 0)
        {
            opt->doorbell = 1;
        }
        else if (strcmp(argv[i], "--corrupt-every") == 0 && i + 1 < argc)
        {
            opt->corrupt_every = parse_positive("--corrupt-every", argv[++i]);
        }
        else if (strcmp(argv[i], "--timeout-seconds") == 0 && i + 1 < argc)
        {
            const unsigned long seconds = parse_positive("--timeout-seconds", argv[++i]);
            opt->timeout_seconds = seconds > 3600 ? 3600u : (unsigned int)seconds;
        }
        else
        {
            usage();
        }
    }
    if (opt->corrupt_every != 0 && opt->front)
    {
        fprintf(stderr, "blkif_peer: --corrupt-every is a back end option\n");
        exit(2);
    }
}

static void die(const char *what)
{
    fprintf(stderr, "blkif_peer: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *map_file(int fd, size_t length)
{
    void *map = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
    {
        die("mmap");
    }
    return map;
}

/*
 * Creates FILE through a private temporary name, lets init() initialise the ring in it, then links it into place:
 * FILE appears only once fully initialised, and link() refuses to replace an existing FILE.
 */
static void *create_ring_file(const char *file, size_t length, void (*init)(void *map, void *ctx), void *ctx)
{
    char temp[PATH_MAX];
    if (snprintf(temp, sizeof(temp), "%s.%ld.tmp", file, (long)getpid()) >= (int)sizeof(temp))
    {
        fprintf(stderr, "blkif_peer: file name too long: %s\n", file);
        exit(2);
    }
    const int fd = open(temp, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
    {
        die(temp);
    }
    if (ftruncate(fd, (off_t)length) != 0)
    {
        die("ftruncate");
    }
    void *map = map_file(fd, length);
    close(fd);
    init(map, ctx);
    if (link(temp, file) != 0)
    {
        const int saved = errno;
        unlink(temp);
        errno = saved;
        die(file);
    }
    unlink(temp);
    return map;
}

static void *open_ring_file(const char *file, size_t length)
{
    const int fd = open(file, O_RDWR);
    if (fd < 0)
    {
        die(file);
    }
    struct stat st;
    if (fstat(fd, &st) != 0)
    {
        die("fstat");
    }
    if ((size_t)st.st_size != length)
    {
        fprintf(stderr, "blkif_peer: %s is %lld bytes, expected %zu\n", file, (long long)st.st_size, length);
        exit(2);
    }
    void *map = map_file(fd, length);
    close(fd);
    return map;
}

static void init_front(void *map, void *ctx)
{
    XEN_FRONT_RING_INIT((blkif_front_ring_t *)ctx, (blkif_sring_t *)map, PAGE_BYTES);
}

static void init_shared(void *map, void *ctx)
{
    (void)ctx;
    SHARED_RING_INIT((blkif_sring_t *)map);
}

/* ---- notification ---- */

static uint32_t doorbell_snapshot(const struct doorbells *bells)
{
    /* read before the final check: a kick the peer sends after our final check moves it past this value */
    return bells->own == NULL ? 0 : __atomic_load_n(bells->own, __ATOMIC_ACQUIRE);
}

static void kick(const struct doorbells *bells, struct stats *stats)
{
    stats->notifications++;
    if (bells->peer != NULL)
    {
        /* the peer sees our pushed producer index before it sees the counter move */
        __atomic_fetch_add(bells->peer, 1, __ATOMIC_SEQ_CST);
    }
}

static void backoff(unsigned int round)
{
    if (round < 64)
    {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    else if (round < 256)
    {
        sched_yield();
    }
    else
    {
        const struct timespec pause = {0, 20000};
        nanosleep(&pause, NULL);
    }
}

/* Idles after a final check found no work: until our doorbell moves, or (polling) for one backoff step. */
static void wait_for_work(const struct doorbells *bells, uint32_t seen, struct stats *stats)
{
    stats->waits++;
    if (bells->own == NULL)
    {
        backoff(64);
        return;
    }
    for (unsigned int round = 0; __atomic_load_n(bells->own, __ATOMIC_ACQUIRE) == seen; round++)
    {
        backoff(round);
    }
}

/* ---- front end ---- */

static int check_response(
    const blkif_response_t *rsp, const unsigned char *raw, unsigned long sent, unsigned char *answered)
{
    const uint64_t sequence = rsp->id - ID_BASE;
    if (sequence >= sent || answered[sequence])
    {
        fprintf(stderr, "blkif_peer front: response id 0x%" PRIx64 " was not issued or is not outstanding\n", rsp->id);
        return 0;
    }
    answered[sequence] = 1;
    blkif_request_t expected;
    derive(rsp->id, &expected);
    if (rsp->operation != expected.operation)
    {
        fprintf(stderr, "blkif_peer front: response 0x%" PRIx64 " echoes operation %u, request had %u\n",
            rsp->id, rsp->operation, expected.operation);
        return 0;
    }
    if (rsp->status != BLKIF_RSP_OKAY)
    {
        fprintf(stderr, "blkif_peer front: response 0x%" PRIx64 " has status %d\n", rsp->id, rsp->status);
        return 0;
    }
    /* blkif.h response layout: byte 9 and bytes 12..15 are padding; CVE-2017-10911 says they must be zero */
    if (raw[offsetof(blkif_response_t, operation) + 1] != 0 ||
        raw[offsetof(blkif_response_t, status) + 2] != 0 || raw[offsetof(blkif_response_t, status) + 3] != 0 ||
        raw[offsetof(blkif_response_t, status) + 4] != 0 || raw[offsetof(blkif_response_t, status) + 5] != 0)
    {
        fprintf(stderr, "blkif_peer front: response 0x%" PRIx64 " has non-zero padding\n", rsp->id);
        return 0;
    }
    return 1;
}

/* Consumes every published response; returns how many, or -1 on a protocol error. */
static long consume_responses(
    blkif_front_ring_t *front, unsigned long sent, unsigned char *answered, struct stats *stats)
{
    /* read rsp_prod once, then fence: the response bodies it covers are visible */
    const RING_IDX rp = __atomic_load_n(&front->sring->rsp_prod, __ATOMIC_RELAXED);
    xen_rmb();
    if (RING_RESPONSE_PROD_OVERFLOW(front, rp) || (RING_IDX)(rp - front->rsp_cons) >
        (RING_IDX)(front->req_prod_pvt - front->rsp_cons))
    {
        fprintf(stderr, "blkif_peer front: bogus rsp_prod %u with rsp_cons %u, req_prod %u\n",
            rp, front->rsp_cons, front->req_prod_pvt);
        return -1;
    }
    long consumed = 0;
    for (RING_IDX i = front->rsp_cons; i != rp; i++)
    {
        union
        {
            blkif_response_t rsp;
            unsigned char raw[sizeof(blkif_response_t)];
        } copy;
        /* 0xFF sentinel: a copy that skipped the padding bytes cannot pass the padding check */
        memset(&copy, 0xFF, sizeof(copy));
        RING_COPY_RESPONSE(front, i, &copy.rsp);
        if (!check_response(&copy.rsp, copy.raw, sent, answered))
        {
            return -1;
        }
        stats->responses++;
        consumed++;
    }
    front->rsp_cons = rp;
    return consumed;
}

static int run_front(blkif_front_ring_t *front, const struct options *opt, const struct doorbells *bells,
    struct stats *stats)
{
    unsigned char *answered = calloc(opt->count, 1);
    if (answered == NULL)
    {
        die("calloc");
    }
    unsigned long sent = 0;
    while (stats->responses < opt->count)
    {
        const uint32_t seen = doorbell_snapshot(bells);
        int progress = 0;
        while (sent < opt->count && !RING_FULL(front))
        {
            derive(ID_BASE + sent, RING_GET_REQUEST(front, front->req_prod_pvt));
            front->req_prod_pvt++;
            sent++;
            stats->requests++;
            progress = 1;
        }
        if (progress)
        {
            int notify;
            RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(front, notify);
            if (notify)
            {
                kick(bells, stats);
            }
        }
        int more;
        do
        {
            const long consumed = consume_responses(front, sent, answered, stats);
            if (consumed < 0)
            {
                free(answered);
                return 0;
            }
            progress |= consumed > 0;
            RING_FINAL_CHECK_FOR_RESPONSES(front, more);
        }
        while (more);
        if (!progress && stats->responses < opt->count)
        {
            wait_for_work(bells, seen, stats);
        }
    }
    free(answered);
    return 1;
}

/* ---- back end ---- */

static int check_request(const blkif_request_t *req, uint64_t expected_id)
{
    if (req->id != expected_id)
    {
        fprintf(stderr, "blkif_peer back: request id 0x%" PRIx64 ", expected 0x%" PRIx64 " next\n",
            req->id, expected_id);
        return 0;
    }
    blkif_request_t expected;
    derive(req->id, &expected);
    if (req->operation != expected.operation || req->nr_segments != expected.nr_segments ||
        req->handle != expected.handle || req->sector_number != expected.sector_number)
    {
        fprintf(stderr, "blkif_peer back: request 0x%" PRIx64 " header op=%u nr=%u handle=%u sector=%" PRIu64
            ", expected op=%u nr=%u handle=%u sector=%" PRIu64 "\n", req->id, req->operation, req->nr_segments,
            req->handle, req->sector_number, expected.operation, expected.nr_segments, expected.handle,
            expected.sector_number);
        return 0;
    }
    /* bounded by the derived count, which never exceeds BLKIF_MAX_SEGMENTS_PER_REQUEST */
    for (unsigned int k = 0; k < expected.nr_segments; k++)
    {
        if (req->seg[k].gref != expected.seg[k].gref || req->seg[k].first_sect != expected.seg[k].first_sect ||
            req->seg[k].last_sect != expected.seg[k].last_sect)
        {
            fprintf(stderr, "blkif_peer back: request 0x%" PRIx64 " segment %u is {%u, %u, %u}, expected {%u, %u, %u}\n",
                req->id, k, req->seg[k].gref, req->seg[k].first_sect, req->seg[k].last_sect,
                expected.seg[k].gref, expected.seg[k].first_sect, expected.seg[k].last_sect);
            return 0;
        }
    }
    return 1;
}

static void answer(blkif_back_ring_t *back, uint64_t id, uint8_t operation, int16_t status)
{
    blkif_response_t rsp;
    memset(&rsp, 0, sizeof(rsp)); /* padding zero (CVE-2017-10911) */
    rsp.id = id;
    rsp.operation = operation;
    rsp.status = status;
    memcpy(RING_GET_RESPONSE(back, back->rsp_prod_pvt), &rsp, sizeof(rsp));
    back->rsp_prod_pvt++;
}

static int run_back(blkif_back_ring_t *back, const struct options *opt, const struct doorbells *bells,
    struct stats *stats)
{
    while (stats->responses < opt->count)
    {
        const uint32_t seen = doorbell_snapshot(bells);
        /* read req_prod once, then fence: the request bodies it covers are visible */
        const RING_IDX rp = __atomic_load_n(&back->sring->req_prod, __ATOMIC_RELAXED);
        xen_rmb();
        if (RING_REQUEST_PROD_OVERFLOW(back, rp))
        {
            fprintf(stderr, "blkif_peer back: bogus req_prod %u with rsp_prod_pvt %u\n", rp, back->rsp_prod_pvt);
            return 0;
        }
        int progress = 0;
        while (back->req_cons != rp && stats->requests < opt->count &&
            !RING_REQUEST_CONS_OVERFLOW(back, back->req_cons))
        {
            blkif_request_t req;
            RING_COPY_REQUEST(back, back->req_cons, &req); /* copy once, check only the copy (XSA-155) */
            back->req_cons++;
            const int valid = check_request(&req, ID_BASE + stats->requests);
            stats->requests++;
            if (!valid)
            {
                stats->errors++;
            }
            const int corrupt = opt->corrupt_every != 0 && stats->requests % opt->corrupt_every == 0;
            answer(back, corrupt ? req.id ^ CORRUPT_ID_MASK : req.id, req.operation,
                valid ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR);
            stats->responses++;
            progress = 1;
        }
        if (progress)
        {
            int notify;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(back, notify);
            if (notify)
            {
                kick(bells, stats);
            }
            continue;
        }
        if (stats->responses < opt->count)
        {
            int more;
            RING_FINAL_CHECK_FOR_REQUESTS(back, more);
            if (!more)
            {
                wait_for_work(bells, seen, stats);
            }
        }
    }
    return stats->errors == 0;
}

static int print_layout(void)
{
    static unsigned char page[PAGE_BYTES] __attribute__((aligned(PAGE_BYTES)));
    blkif_front_ring_t front;
    XEN_FRONT_RING_INIT(&front, (blkif_sring_t *)page, PAGE_BYTES);
    printf("ring_size=%u request_bytes=%zu response_bytes=%zu entry_bytes=%zu ring_offset=%zu "
        "front_doorbell=%u back_doorbell=%u doorbell_file_bytes=%u id_base=%" PRIu64 "\n",
        RING_SIZE(&front), sizeof(blkif_request_t), sizeof(blkif_response_t), sizeof(union blkif_sring_entry),
        offsetof(blkif_sring_t, ring), FRONT_DOORBELL_OFFSET, BACK_DOORBELL_OFFSET, DOORBELL_FILE_BYTES, ID_BASE);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "layout") == 0)
    {
        return print_layout();
    }
    struct options opt;
    parse(argc, argv, &opt);
    signal(SIGALRM, on_alarm);
    alarm(opt.timeout_seconds);

    const size_t length = opt.doorbell ? DOORBELL_FILE_BYTES : PAGE_BYTES;
    blkif_front_ring_t front;
    blkif_back_ring_t back;
    void *map;
    if (opt.init)
    {
        map = opt.front ?
            create_ring_file(opt.file, length, init_front, &front) : create_ring_file(opt.file, length, init_shared, NULL);
    }
    else
    {
        map = open_ring_file(opt.file, length);
    }
    blkif_sring_t *sring = (blkif_sring_t *)map;
    if (opt.front && !opt.init)
    {
        FRONT_RING_INIT(&front, sring, PAGE_BYTES);
    }
    if (!opt.front)
    {
        BACK_RING_INIT(&back, sring, PAGE_BYTES);
    }
    /* attaching at index 0 is only right on a fresh ring: refuse one a previous run left behind */
    if (!opt.init && (opt.front ? sring->req_prod != 0 || sring->rsp_prod != 0 : sring->rsp_prod != 0))
    {
        fprintf(stderr, "blkif_peer: %s holds a used ring (req_prod %u, rsp_prod %u); create it afresh with --init\n",
            opt.file, sring->req_prod, sring->rsp_prod);
        return 2;
    }

    struct doorbells bells = {NULL, NULL};
    if (opt.doorbell)
    {
        unsigned char *bytes = (unsigned char *)map;
        bells.own = (uint32_t *)(bytes + (opt.front ? FRONT_DOORBELL_OFFSET : BACK_DOORBELL_OFFSET));
        bells.peer = (uint32_t *)(bytes + (opt.front ? BACK_DOORBELL_OFFSET : FRONT_DOORBELL_OFFSET));
    }

    struct stats stats;
    memset(&stats, 0, sizeof(stats));
    const int ok = opt.front ? run_front(&front, &opt, &bells, &stats) : run_back(&back, &opt, &bells, &stats);
    if (!ok && stats.errors == 0)
    {
        stats.errors = 1;
    }
    printf("blkif_peer %s: requests=%lu responses=%lu notifications=%lu waits=%lu errors=%lu\n",
        opt.front ? "front" : "back", stats.requests, stats.responses, stats.notifications, stats.waits, stats.errors);
    fflush(stdout);
    munmap(map, length);
    return ok ? 0 : 1;
}
