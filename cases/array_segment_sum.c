/* Port of notes 000, "Problem Practice : Concurrent Array Sum" (In [24]-[29]): the array
 * 1..9 is cut into 3 segments; one thread per segment writes its own slot of
 * segment_sums; the main thread adds the slots after joining every thread.
 *
 * Each thread writes only its own slot and the main thread reads after join(), so there is
 * no data race and no lock is needed. The notes create `lock = threading.Lock()` but never
 * use it; it is left out here. Expected: 6, 15, 24 and a total of 45.
 *
 * lockstep-case: array_segment_sum
 * lockstep-source: 000 "Problem Practice : Concurrent Array Sum" (calculate_segment_sum)
 * lockstep-twin: none
 * lockstep-native: pass
 * lockstep-expect run: clean
 * lockstep-expect explore: clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#define ARRAY_SIZE   9
#define NUM_SEGMENTS 3

static const int array[ARRAY_SIZE] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static int segment_sums[NUM_SEGMENTS];

static void *calculate_segment_sum(void *arg)
{
    int segment_id = (int)(intptr_t)arg;
    int start = segment_id * (ARRAY_SIZE / NUM_SEGMENTS);
    int end = (segment_id + 1) * (ARRAY_SIZE / NUM_SEGMENTS);

    segment_sums[segment_id] = 0;
    for (int i = start; i < end; i++)
        segment_sums[segment_id] += array[i];
    return NULL;
}

int main(void)
{
    static const int expected[NUM_SEGMENTS] = {6, 15, 24};
    pthread_t threads[NUM_SEGMENTS];
    int total_sum = 0, failed = 0;

    for (int i = 0; i < NUM_SEGMENTS; i++)
        pthread_create(&threads[i], NULL, calculate_segment_sum, (void *)(intptr_t)i);
    for (int i = 0; i < NUM_SEGMENTS; i++)
        pthread_join(threads[i], NULL);

    for (int i = 0; i < NUM_SEGMENTS; i++) {
        total_sum += segment_sums[i];
        printf("Segment %d Sum: %d\n", i, segment_sums[i]);
        failed |= segment_sums[i] != expected[i];
    }
    printf("Total Sum: %d\n", total_sum);
    if (failed || total_sum != 45) {
        printf("Expected: 6 15 24, Total Sum: 45\n");
        return 1;
    }
    return 0;
}
