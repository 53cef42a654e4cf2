#include "window/Offers.h"

#include "engine/EngineError.h"
#include "launch/Launcher.h"

#include <QAbstractButton>
#include <QMessageBox>
#include <QPushButton>

Offers::Offers(QWidget *window) : QObject(window), m_window(window) { }

QMessageBox *Offers::current() const
{
    return m_box;
}

void Offers::ask(const QString &name, const QString &title, const QString &text,
                 const QString &action, const std::function<void()> &onYes)
{
    if (m_box)
        m_box->close();
    auto *box = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::NoButton,
                                m_window);
    box->setObjectName(name);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *yes = box->addButton(action, QMessageBox::AcceptRole);
    yes->setObjectName(QStringLiteral("offerAccept"));
    box->addButton(QMessageBox::Close);
    box->setDefaultButton(yes);
    connect(box, &QMessageBox::buttonClicked, this, [yes, onYes](QAbstractButton *button) {
        if (button == yes)
            onYes();
    });
    m_box = box;
    box->open();
}

void Offers::afterLaunch(const Launcher &launcher)
{
    if (launcher.state() != Launcher::State::Failed)
        return;
    const Error &error = launcher.error();
    const LaunchSpec &spec = launcher.spec();
    if (error.code() == Error::Code::DeviceDriver && spec.usesGpus()) {
        const QString reason = error.message();
        ask(QStringLiteral("doctorOffer"), tr("The engine cannot hand out GPUs"),
            tr("%1\n\nThe GPU readiness checklist shows what is missing and how to fix it.")
                .arg(reason),
            tr("Run the &Checklist"), [this, reason]() { emit doctorWanted(reason); });
    } else if (EngineError::isMissingImage(error.why())) {
        const QString image = spec.image;
        ask(QStringLiteral("pullOffer"), tr("Image not found"),
            tr("The engine has no image %1. Pull it now?").arg(image), tr("&Pull"),
            [this, image]() { emit pullWanted(image); });
    }
}
