build/obj/agent-tui/main.o: agent-tui/main.c
