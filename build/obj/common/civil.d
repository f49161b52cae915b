build/obj/common/civil.o: common/civil.c common/civil.h
common/civil.h:
