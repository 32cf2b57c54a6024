#include <stdio.h>
int main(void)
{
    puts("lockstep " LST_VERSION);
    return 0;
}
