/* main.c: the `eddy` command (placeholder until the CLI lands). */
#include <stdio.h>

int main(void)
{
    puts("eddy");
    return 0;
}
