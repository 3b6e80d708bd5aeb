/* The C side of the BTF fidelity test (tests/unit/btf_test.cpp, "clang's
 * .BTF and bpfxx's BTF describe the same types"): each type here has a C++
 * twin there. Compiled with `clang -g -target bpf -c`; the globals make
 * clang emit the types. */

enum color { RED, GREEN = 5, BLUE = 200 };
enum level { LOW = -2, MID = 0, HIGH = 7 };

typedef unsigned int u32_t;

struct point {
    int x;
    int y;
};

struct line {
    struct point a, b;
    unsigned char tag;
};

union value {
    unsigned int u;
    float f;
    unsigned char bytes[4];
};

struct packet {
    unsigned int kind : 3;
    unsigned int level : 5;
    unsigned char tag;
    union {
        unsigned int ip4;
        unsigned char ip6[16];
    };
    struct {
        unsigned short sport, dport;
    };
    unsigned long long flags : 40;
    int signed_bits : 7;
};

struct node {
    struct node *next;
    const char *name;
    unsigned long values[3];
    enum color color;
    void *opaque;
    volatile int counter;
};

struct handlers {
    int (*on_event)(void *ctx, int code);
    struct point *(*make)(void);
};

struct matrix {
    short cells[2][3];
    double scale;
};

struct padded {
    char c;
    long long v;
    char d;
};

struct scalars {
    _Bool on;
    char c;
    signed char sc;
    short s;
    unsigned short us;
    long l;
    unsigned long ul;
    long long ll;
    float f;
    u32_t typed;
};

struct point g_point;
struct line g_line;
union value g_value;
struct packet g_packet;
struct node g_node;
struct handlers g_handlers;
struct matrix g_matrix;
struct padded g_padded;
struct scalars g_scalars;
enum level g_level;
