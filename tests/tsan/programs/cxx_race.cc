/* cxx_race: two C++ races whose function names have templates, namespaces and spaces.
 * (1) Shelf<int>::put(int, int) writes an element of a std::vector<int> (a heap block)
 *     while Shelf<int>::peek(int) const reads it in another std::thread;
 * (2) ledger::Account::deposit(long) updates the member `balance` of the global object
 *     `account` from two std::threads without a lock.
 * The threads are ordered by sleeps only, so ThreadSanitizer reports both races.
 * Fixture program for tests/tsan (see fixtures/README.md). */
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

template <typename T>
struct Shelf {
    std::vector<T> items;
    explicit Shelf(std::size_t n) : items(n) {}
    __attribute__((noinline)) void put(int i, T v) { items[i] = v; /* racing write */ }
    __attribute__((noinline)) T peek(int i) const { return items[i]; /* racing read */ }
};

namespace ledger {
struct Account {
    long balance = 0;
    __attribute__((noinline)) void deposit(long amount) { balance += amount; /* racing */ }
};
} // namespace ledger

ledger::Account account;

int main()
{
    Shelf<int> shelf(8);
    std::thread a([&shelf] { shelf.put(2, 7); account.deposit(1); });
    std::thread b([&shelf] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::printf("peek %d\n", shelf.peek(2));
        account.deposit(2);
    });
    a.join();
    b.join();
    std::printf("balance %ld\n", account.balance);
    return 0;
}
