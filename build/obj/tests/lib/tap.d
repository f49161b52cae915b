build/obj/tests/lib/tap.o: tests/lib/tap.c tests/lib/tap.h
tests/lib/tap.h:
