/* dining_philosophers_30.c: 30 philosophers (philosophers.h), each taking the left fork then
 * the right one, eating one after the other. lockstep must report exactly one lock-order cycle
 * through all 30 forks: longer than ThreadSanitizer's bound of 20 locks per cycle, so a
 * detector with such a bound would miss it.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 30
 * lockstep-test: lock-name lock-order-cycle forks
 * lockstep-test: frame lock-order-cycle held @LEFT_FORK
 * lockstep-test: frame lock-order-cycle acquire @RIGHT_FORK
 */
#define PHILOSOPHERS 30
#include "philosophers.h"
