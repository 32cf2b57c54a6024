/* std_mutex_abba_is_a_lock_order_cycle.cc: the ABBA inversion in C++, with std::mutex and
 * std::thread. At -O1 std::mutex::lock() and std::lock_guard are inlined into the caller, so
 * the call into pthread_mutex_lock comes from the user's function; the frames must still point
 * at the user's lines in this file. First thread: a.lock() then a lock_guard on b; second
 * (started after the first is joined): a lock_guard on b then a.lock(). lockstep must report
 * one lock-order cycle and no deadlock.
 *
 * lockstep-test: exit 66
 * lockstep-test: target-exit 0
 * lockstep-test: finding lock-order-cycle 1
 * lockstep-test: cycle-length lock-order-cycle 2
 * lockstep-test: frame lock-order-cycle held @A_IN_FIRST
 * lockstep-test: frame lock-order-cycle acquire @B_IN_FIRST
 * lockstep-test: frame lock-order-cycle held @B_IN_SECOND
 * lockstep-test: frame lock-order-cycle acquire @A_IN_SECOND
 */
#include <cstdio>
#include <mutex>
#include <thread>

namespace {

std::mutex mutex_a;
std::mutex mutex_b;
int shared_value;

void first()
{
    mutex_a.lock(); // @A_IN_FIRST
    {
        std::lock_guard<std::mutex> guard(mutex_b); // @B_IN_FIRST
        shared_value++;
    }
    mutex_a.unlock();
}

void second()
{
    std::lock_guard<std::mutex> guard(mutex_b); // @B_IN_SECOND
    mutex_a.lock();                             // @A_IN_SECOND
    shared_value++;
    mutex_a.unlock();
}

} // namespace

int main()
{
    std::thread t1(first);
    t1.join();
    std::thread t2(second);
    t2.join();
    if (shared_value != 2) {
        std::fprintf(stderr, "shared_value is %d\n", shared_value);
        return 90;
    }
    return 0;
}
