build/obj/cbd/main.o: cbd/main.c
