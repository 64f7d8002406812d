#!/bin/sh
# An external client that is a script beside its scenario (run steps start in the scenario's folder).
# It asks Spectrum for a token as a production client would: from the biller's settings, which a run
# step finds in its environment (PARTNERSIM_SETTING_<id>). Setting 10 is "private key|password"; the
# token endpoint is setting 8's base URL + /Token (design 001 §Advanced Settings).
set -eu
key=${PARTNERSIM_SETTING_10%%|*}
password=${PARTNERSIM_SETTING_10#*|}
exec curl --silent --show-error --fail-with-body --header 'Content-Type: application/json' \
  --data "{\"token\": \"$key\", \"username\": \"$PARTNERSIM_SETTING_9\", \"password\": \"$password\"}" \
  "${PARTNERSIM_SETTING_8%/Invoice/InvoiceBalanceDue}/Token"
