/* dining_philosophers_5.c: 5 philosophers (philosophers.h), each taking the left fork then
 * the right one, eating one after the other. lockstep must report exactly one lock-order cycle
 * through all 5 forks.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 5
 * lockstep-test: lock-name lock-order-cycle forks
 * lockstep-test: frame lock-order-cycle held @LEFT_FORK
 * lockstep-test: frame lock-order-cycle acquire @RIGHT_FORK
 */
#define PHILOSOPHERS 5
#include "philosophers.h"
