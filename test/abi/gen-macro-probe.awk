# Vigil: a clean-room libevent 2.1 for Linux.
#
# Reads tools/api/libevent-2.1-macros.txt and writes a C11 program that
# prints the value of every object-like macro and enum constant libevent
# 2.1 defines.  The ABI test builds that program against Vigil's headers and
# against Debian's and diffs the outputs.
#
# Names in test/abi/macro-kinds.txt are printed by their kind instead of
# their value: "type" (a macro naming a type: its size and signedness),
# "empty" (defined to nothing) or "skip" (no value to compare, with the
# reason in that file).

FILENAME == ARGV[1] {
    if ($0 !~ /^#/ && NF >= 2)
        kind[$1] = $2
    next
}

/^# === / { in_enum = 0; next }
/^# enum constants/ { in_enum = 1; next }
/^#/ || NF == 0 { next }

{
    name = $1
    if (name ~ /\(\)$/)
        next
    k = (name in kind) ? kind[name] : "value"
    if (k == "skip")
        next
    if (in_enum) {
        printf "    P(%s);\n", name
        next
    }
    printf "#ifdef %s\n", name
    if (k == "type")
        printf "    T(%s);\n", name
    else if (k == "empty")
        printf "    puts(\"%s defined\");\n", name
    else
        printf "    P(%s);\n", name
    printf "#else\n    puts(\"%s undefined\");\n#endif\n", name
}
