/* LD_PRELOAD shim for the media benchmark: lets Janus 1.1.2 gather ICE candidates on loopback.
 *
 * Janus's janus_ice_setup_local() skips every interface flagged IFF_LOOPBACK before it applies
 * ice_enforce_list, so "lo" alone gathers nothing. This wraps getifaddrs() and clears that flag
 * on "lo"; with ice_enforce_list = "lo" Janus then offers 127.0.0.1 and nothing else.
 * Built at run time by benchmarks/janus.py: gcc -shared -fPIC -o shim.so janus_loopback.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

int getifaddrs(struct ifaddrs **ifap) {
    static int (*real)(struct ifaddrs **) = NULL;
    if (real == NULL)
        real = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
    int rc = real(ifap);
    if (rc == 0) {
        for (struct ifaddrs *ifa = *ifap; ifa != NULL; ifa = ifa->ifa_next) {
            if (ifa->ifa_name != NULL && strcmp(ifa->ifa_name, "lo") == 0)
                ifa->ifa_flags &= ~IFF_LOOPBACK;
        }
    }
    return rc;
}
