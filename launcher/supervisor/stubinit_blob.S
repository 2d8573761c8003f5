/* Embeds the static stub init (build/stubinit) in boxlaunch's read-only data. */
        .section .rodata
        .balign 16
        .global stubinit_start
        .global stubinit_end
stubinit_start:
        .incbin STUBINIT_PATH
stubinit_end:
        .section .note.GNU-stack,"",@progbits
