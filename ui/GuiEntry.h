#pragma once

// The window's entry point, declared without widget headers so that main.cpp stays core-only.
int runGui(int argc, char *argv[]);
