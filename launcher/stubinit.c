/* stubinit.c - placeholder; replaced by the real stub init. */
#include <unistd.h>
int main(int argc, char **argv, char **envp)
{
        if (argc < 2)
                return 125;
        execve(argv[1], argv + 1, envp);
        return 127;
}
