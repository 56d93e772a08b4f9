// Posts the gateway form on load; the button stays for browsers without JavaScript.
document.getElementById("gateway").submit();
