build/obj/supervisor-tui/main.o: supervisor-tui/main.c
