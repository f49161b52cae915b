build/obj/tests/unit/test_civil.o: tests/unit/test_civil.c common/civil.h \
 tests/lib/tap.h
common/civil.h:
tests/lib/tap.h:
