#include "GuiEntry.h"

#include <QApplication>
#include <QMainWindow>

int runGui(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("gpudeck"));
    QApplication::setApplicationDisplayName(QStringLiteral("GPU Deck"));
    QApplication::setApplicationVersion(QStringLiteral(GPUDECK_VERSION));
    QMainWindow window;
    window.setWindowTitle(QStringLiteral("GPU Deck"));
    window.show();
    return app.exec();
}
