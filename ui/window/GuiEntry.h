#pragma once

// The window's entry point, declared without widget headers so that main.cpp stays core-only.
int runGui(int argc, char *argv[]);
// Names the application as the window does (settings, desktop entry); runGui calls it, tests too.
void setGuiIdentity();
