package io.autocloser.merchant;

import com.getcapacitor.BridgeActivity;

public class MainActivity extends BridgeActivity {}
